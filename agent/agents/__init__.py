"""The agents a caller talks to, one per module, and what they share: the base, the tools
several agents are given (transfers, existing bookings), the handoff data, the instructions
and how things are said aloud."""

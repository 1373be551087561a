"""The agents a caller talks to, one per module, and what they share: the base, the
handoff tools and data, the instructions and how things are said aloud."""

"""What the agent and the staff API do with reservations, the desk and personal data."""

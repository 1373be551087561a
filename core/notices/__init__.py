"""Notices for staff: what they say, and their delivery from the outbox to the webhook."""

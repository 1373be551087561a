"""Booking rules as pure functions: what may be booked, and which status changes are allowed."""

"""The operator's side: the `receptionist` command, start-up, the local stack, sample data."""

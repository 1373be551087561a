"""What a phone line adds to a call: caller ID, the keypad, and a transfer to staff."""

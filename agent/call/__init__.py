"""One call: its state, who the caller has shown themselves to be, how it starts or is
picked up again, and the messages it sends the caller's app."""

"""Session hooks that watch a call without taking part: metrics and the handoff log."""

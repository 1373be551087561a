"""Turn-taking: when the caller's turn has ended, set by what the agent just asked."""

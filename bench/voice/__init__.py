"""The voice benchmark (`python -m bench.voice`): the voice pipeline's own delay over WebRTC with
zero-time stand-in models, and how many calls one worker holds. Its caller, concurrency levels
and /proc readings are reused by bench.turns' live run."""

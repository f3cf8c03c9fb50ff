"""``pulse demo``: a simulated company answering through the real bot and the stand-ins."""

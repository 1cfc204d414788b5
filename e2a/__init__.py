"""e2a: ebooks to audiobooks. The `e2a` command: pipeline, sessions, voices, plugins, gui."""
__version__ = "0.1.0"

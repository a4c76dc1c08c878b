"""A keyboard-driven terminal reader for a local feed of news articles."""

__version__ = "0.1.0"

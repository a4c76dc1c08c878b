"""The core of the reader: plain Python, never Textual, tested without a terminal.

Nothing under `reader.core` imports `textual` or the user interface (tests/core checks
every module); the app and the command line both build on it.
"""

"""Everything Textual: the app, its screens, widgets, commands and the one text module."""

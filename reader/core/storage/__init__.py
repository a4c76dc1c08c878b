"""What the reader keeps on disk: the reading state and the index cache, both SQLite."""

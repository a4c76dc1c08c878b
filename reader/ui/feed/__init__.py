"""The parts of the feed screen, each owning its own state; the screen only coordinates them."""

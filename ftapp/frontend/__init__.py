"""What ftapp adds to Reflex's frontend build."""

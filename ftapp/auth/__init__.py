"""Sign-in for ftapp."""

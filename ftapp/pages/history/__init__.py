"""The history (``/history``): every job ftapp has recorded, searchable, with downloads."""

"""What any browser connection may do: the event gate, text that Reflex must not re-parse,
one live subscription per tab, and logs that a client cannot flood or forge."""

"""The hosted API the unit tests mock with respx: its URL and its (fake) key."""

API_BASE = "https://api.example.test/api"
SECRET_KEY = "sk-unit-SECRET-4242"

"""Sign-in for the web application: users, sessions and API keys — their tables (tables.py) and rules (users.py)."""

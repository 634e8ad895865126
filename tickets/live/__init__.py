"""Live events of the ticket domain: what is pushed to open pages, built in ``events.py``."""

"""Live push between processes without Redis: a database outbox channel layer.

``group_send`` writes one row to ``LiveOutboxEvent``; every process that holds sockets runs one
relay task that reads new rows and hands them to its own in-memory groups. See ``layer.py``.
"""

"""The notification centre: what happened to an agent's work while they looked elsewhere.

Escalations to them, acknowledgements of their escalations and reassignments away from them are
kept (``services.notification_record``, called inside the write's transaction), listed newest first
and marked read by their owner only.
"""

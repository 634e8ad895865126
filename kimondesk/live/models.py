from __future__ import annotations

from django.db import models


class LiveOutboxEvent(models.Model):
    """One live push waiting to be relayed to sockets in every web process.

    Rows are short-lived: relays read them within a fraction of a second and a prune removes
    them after ``LIVE_OUTBOX_RETENTION_SECONDS``. Pages that were offline longer catch up from
    the stored data through the ticket page's catch-up endpoint, not from here.
    """

    group = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"

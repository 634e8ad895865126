"""Outbound deliveries: Slack messages and webhook calls, two kinds of one delivery.

``models`` (one ``Delivery`` table and its ``DeliveryAttempt`` log), ``http`` (the one HTTP client,
behind the outbound guard, and the Retry-After parser), ``policy`` (tries and backoff per kind),
``engine`` (create, queue, claim, send, record, retry), ``slack`` and ``webhooks`` (what differs:
the message, the signature, who receives it).
"""

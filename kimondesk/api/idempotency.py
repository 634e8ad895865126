"""``Idempotency-Key`` on POST: a retried request gets the first response and creates nothing.

The record is inserted first, inside the same transaction as the change, so the unique
constraint on (user, key) makes a concurrent duplicate wait for the first one to commit and then
replay its response. Failed requests (errors) store nothing: the key can be used again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kimondesk.compiled_queries import row_update
from tickets.models import Agent, IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255

Handler = TypeVar("Handler", bound=Callable[..., Response])


def request_fingerprint(*, request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    return Response(
        record.response_body,
        status=record.response_status or status.HTTP_200_OK,
        headers={"Idempotent-Replayed": "true"},
    )


def _mismatch() -> Response:
    return Response(
        {
            "detail": (
                f"This {HEADER} was already used with a different request body or path. "
                "Use a new key for a new request."
            )
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def idempotency_record_claim(
    *, request: Request, key: str, fingerprint: str
) -> tuple[IdempotencyRecord | None, Response | None]:
    """Insert the key (call inside a transaction) or return the response to send instead."""
    user = cast(Agent, request.user)
    fields = {"method": request.method or "", "path": request.path, "request_hash": fingerprint}
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(key=key, user=user, **fields)
        return record, None
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
    if existing.created_at < timezone.now() - KEY_TTL:
        existing.delete()
        return IdempotencyRecord.objects.create(key=key, user=user, **fields), None
    if existing.request_hash != fingerprint:
        return None, _mismatch()
    return None, _replay(existing)


def idempotent_call(*, request: Request, call: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return call()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [f"At most {MAX_KEY_LENGTH} characters."]})
    fingerprint = request_fingerprint(request=request)
    with transaction.atomic():
        record, early = idempotency_record_claim(request=request, key=key, fingerprint=fingerprint)
        if early is not None:
            return early
        assert record is not None
        response = call()
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)
            return response
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        row_update(record, ["response_status", "response_body"])
        return response


def idempotent(handler: Handler) -> Handler:
    """Decorate a view method that handles POST so it honours ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent_call(
            request=request, call=lambda: handler(self, request, *args, **kwargs)
        )

    return cast(Handler, wrapper)


def idempotency_records_purge(*, now: Any = None) -> int:
    """Delete records older than the 24 h window; returns how many went."""
    cutoff = (now or timezone.now()) - KEY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

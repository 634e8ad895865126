"""The floor's four operations, each the least SQL that does the job on KimonDesk's tables.

- a customer message: the message row and its ``message_added`` event row, in one transaction;
- a ticket: the ticket row and its first message row, in one transaction;
- the ticket page: the ticket and its messages, two plain SELECTs, HTML by string formatting;
- the list: the 25 newest tickets, one SELECT, JSON.

The API calls look the bearer's token up (one SELECT) as KimonDesk's token auth does; the page
reads no session (it is the plainer page the issue speaks of).
"""

from __future__ import annotations

import json
from html import escape

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest, HttpResponse, JsonResponse


def _token_user(request: HttpRequest) -> int | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Token "):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id FROM authtoken_token WHERE key = %s", [header[6:]])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _message_insert(cursor: CursorWrapper, ticket_id: int, author_type: str, body: str) -> int:
    cursor.execute(
        "INSERT INTO tickets_message (ticket_id, author_type, body, sentiment, "
        "sentiment_reasons, sentiment_language, created_at) "
        "VALUES (%s, %s, %s, 'unknown', '[]', '', now()) RETURNING id",
        [ticket_id, author_type, body],
    )
    return int(cursor.fetchone()[0])  # type: ignore[index]


def _unauthorised() -> JsonResponse:
    return JsonResponse({"detail": "Invalid token."}, status=401)


def message_add(request: HttpRequest, ticket_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    if _token_user(request) is None:
        return _unauthorised()
    payload = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        message_id = _message_insert(cursor, ticket_id, payload["author_type"], payload["body"])
        cursor.execute(
            "INSERT INTO tickets_ticketevent (ticket_id, kind, data, created_at) "
            "VALUES (%s, 'message_added', %s, now())",
            [ticket_id, json.dumps({"message": message_id})],
        )
    return JsonResponse({"id": message_id, "ticket": ticket_id}, status=201)


def _ticket_create(request: HttpRequest) -> HttpResponse:
    payload = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticket (subject, customer_id, queue_id, status, priority, "
            "customer_sentiment, escalation_count, version, created_at, updated_at) "
            "VALUES (%s, %s, %s, 'new', %s, 'unknown', 0, 1, now(), now()) RETURNING id",
            [
                payload["subject"],
                payload["customer"],
                payload.get("queue"),
                payload.get("priority", "normal"),
            ],
        )
        ticket_id = cursor.fetchone()[0]  # type: ignore[index]
        _message_insert(cursor, ticket_id, "customer", payload["body"])
    return JsonResponse({"id": ticket_id}, status=201)


def _ticket_list(request: HttpRequest) -> HttpResponse:
    size = min(200, int(request.GET.get("page_size", "25")))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, subject, status, priority, assignee_id, created_at FROM tickets_ticket "
            "ORDER BY created_at DESC, id DESC LIMIT %s",
            [size],
        )
        rows = cursor.fetchall()
    results = [
        {
            "id": row[0],
            "subject": row[1],
            "status": row[2],
            "priority": row[3],
            "assignee": row[4],
            "created_at": row[5].isoformat(),
        }
        for row in rows
    ]
    return JsonResponse({"results": results})


def tickets(request: HttpRequest) -> HttpResponse:
    if _token_user(request) is None:
        return _unauthorised()
    if request.method == "POST":
        return _ticket_create(request)
    return _ticket_list(request)


def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, status FROM tickets_ticket WHERE id = %s", [ticket_id])
        ticket = cursor.fetchone()
        if ticket is None:
            return HttpResponse(status=404)
        cursor.execute(
            "SELECT author_type, body, created_at FROM tickets_message WHERE ticket_id = %s "
            "ORDER BY created_at, id",
            [ticket_id],
        )
        messages = cursor.fetchall()
    items = "".join(
        f"<li><b>{escape(author)}</b> <time>{created:%Y-%m-%d %H:%M}</time><p>{escape(body)}</p></li>"
        for author, body, created in messages
    )
    return HttpResponse(
        f"<!doctype html><title>{escape(ticket[0])}</title><h1>{escape(ticket[0])}</h1>"
        f"<p>{escape(ticket[1])}</p><ol>{items}</ol>"
    )

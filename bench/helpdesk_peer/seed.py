"""Seed django-helpdesk for the side-by-side benchmark; prints the fixture as one JSON line.

Run inside the throwaway environment, after ``migrate``:
``python -m bench.helpdesk_peer.seed --tickets 1000`` (settings ``bench.helpdesk_peer.settings``).
A staff superuser with an API token and a signed-in session, one queue, ``--tickets`` open
tickets with a few follow-ups each (as KimonDesk's demo tickets have a few messages), and one
ticket with 50 follow-ups for the ticket page.
"""

from __future__ import annotations

import argparse
import json

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    args = parser.parse_args()
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from helpdesk.models import FollowUp, Queue, Ticket
    from rest_framework.authtoken.models import Token

    staff = User.objects.create_superuser("bench-staff", "staff@example.com", None)
    queue = Queue.objects.create(title="Inbox", slug="inbox", email_address="inbox@example.com")
    tickets = Ticket.objects.bulk_create(
        Ticket(
            title=f"Order {i} arrived damaged",
            queue=queue,
            submitter_email=f"customer{i % 200}@example.com",
            description="The parcel arrived with a broken seal and the item is scratched.",
            status=Ticket.OPEN_STATUS,
            priority=3,
            assigned_to=staff,
        )
        for i in range(args.tickets + 1)
    )
    page_ticket, tickets = tickets[0], tickets[1:]
    FollowUp.objects.bulk_create(
        FollowUp(
            ticket=ticket,
            title="Comment",
            comment="Could you send a photo of the damage, please?" if n else "Any news?",
            public=True,
            user=staff if n else None,
        )
        for ticket in tickets
        for n in range(3)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            ticket=page_ticket,
            title="Comment",
            comment=f"Message {n}: the parcel arrived with a broken seal, any news on this?",
            public=True,
            user=staff if n % 2 else None,
        )
        for n in range(50)
    )
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.create()
    print(
        json.dumps(
            {
                "token": Token.objects.create(user=staff).key,
                "session": session.session_key,
                "user": staff.pk,
                "queue": queue.pk,
                "ticket_ids": [t.pk for t in tickets],
                "page_ticket": page_ticket.pk,
            }
        )
    )


if __name__ == "__main__":
    main()

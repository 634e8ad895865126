"""Console pages of mailboxes: the IMAP password is write-only, and a lead sees and edits only
their own team's mailboxes and received mail."""

from __future__ import annotations

import pytest

from tests import factories
from tests.console_links import links_refused
from tickets.mail.inbound import mail_receive
from tickets.mail.models import Mailbox

from .conftest import make_mail

pytestmark = pytest.mark.django_db

PASSWORD = "imap-pa55-w0rd-secret"
ADD_URL = "/admin/mail/mailbox/add/"


@pytest.fixture
def alpha(db):
    team = factories.TeamFactory(name="Alpha")
    return {
        "team": team,
        "lead": factories.LeadFactory(username="lead_a", team=team),
        "queue": factories.QueueFactory(name="Billing", team=team),
    }


@pytest.fixture
def bravo(db):
    team = factories.TeamFactory(name="Bravo")
    return {
        "team": team,
        "lead": factories.LeadFactory(username="lead_b", team=team),
        "queue": factories.QueueFactory(name="Ops", team=team),
    }


def mailbox_data(queue, **overrides):
    data = {
        "queue": queue.pk,
        "address": "Billing@Help.example.com",
        "display_name": "",
        "enabled": "on",
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_username": "billing",
        "imap_password": PASSWORD,
        "imap_folder": "INBOX",
    }
    data.update(overrides)
    return data


def test_a_lead_adds_a_mailbox_and_the_password_is_never_shown_back(client, alpha):
    client.force_login(alpha["lead"])
    response = client.post(ADD_URL, mailbox_data(alpha["queue"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    mailbox = Mailbox.objects.get()
    assert (mailbox.address, mailbox.imap_password) == ("billing@help.example.com", PASSWORD)
    change_url = f"/admin/mail/mailbox/{mailbox.pk}/change/"
    pages = [client.get(url) for url in ("/admin/mail/mailbox/", change_url)]
    assert [page.status_code for page in pages] == [200, 200]
    assert not [page for page in pages if PASSWORD in page.content.decode()]
    # an edit that leaves the password empty keeps it
    response = client.post(
        change_url, mailbox_data(alpha["queue"], imap_password="", imap_folder="Support")
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.imap_folder, mailbox.imap_password) == ("Support", PASSWORD)


def test_a_lead_cannot_see_or_use_another_teams_queue_or_mailbox(client, alpha, bravo):
    theirs = Mailbox.objects.create(queue=bravo["queue"], address="ops@help.example.com")
    client.force_login(alpha["lead"])
    # the other team's queue is not a choice
    response = client.post(ADD_URL, mailbox_data(bravo["queue"]))
    assert response.status_code == 200
    assert "queue" in response.context["adminform"].form.errors
    assert Mailbox.objects.count() == 1
    # and the other team's mailbox is neither listed nor opened
    listing = client.get("/admin/mail/mailbox/").content.decode()
    assert "ops@help.example.com" not in listing
    assert client.get(f"/admin/mail/mailbox/{theirs.pk}/change/").status_code == 302


def test_received_mail_is_listed_per_team_read_only(client, alpha, bravo):
    mine = Mailbox.objects.create(queue=alpha["queue"], address="billing@help.example.com")
    Mailbox.objects.create(queue=bravo["queue"], address="ops@help.example.com")
    mail_receive(
        raw=make_mail(to="billing@help.example.com", subject="Mine"), source="test", mailbox=mine
    )
    mail_receive(
        raw=make_mail(to="ops@help.example.com", subject="Theirs", message_id="<t@x>"),
        source="test",
    )
    client.force_login(alpha["lead"])
    listing = client.get("/admin/mail/inboundmail/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert ("Mine" in body, "Theirs" in body) == (True, False)
    mine_row = mine.inbound_mails.get()
    theirs_row = Mailbox.objects.get(address="ops@help.example.com").inbound_mails.get()
    page = client.get(f"/admin/mail/inboundmail/{mine_row.pk}/change/")
    assert page.status_code == 200
    # The ticket the mail opened links to its workspace page, not the admin-only ticket page.
    html = page.content.decode()
    assert f'<a href="/tickets/{mine_row.ticket_id}/">#{mine_row.ticket_id} Mine</a>' in html
    assert links_refused(client, html) == {}
    # (the console answers a row outside the lead's scope as missing: back to the index)
    assert client.get(f"/admin/mail/inboundmail/{theirs_row.pk}/change/").status_code == 302
    assert client.get("/admin/mail/inboundmail/add/").status_code == 403


def test_the_source_filter_lists_only_the_sources_of_the_mail_a_lead_may_see(client, alpha, bravo):
    client.force_login(alpha["lead"])
    assert "By source" not in client.get("/admin/mail/inboundmail/").content.decode()

    mine = Mailbox.objects.create(queue=alpha["queue"], address="billing@help.example.com")
    theirs = Mailbox.objects.create(queue=bravo["queue"], address="ops@help.example.com")
    mail_receive(
        raw=make_mail(to="billing@help.example.com", subject="Mine"), source="imap", mailbox=mine
    )
    mail_receive(
        raw=make_mail(to="ops@help.example.com", subject="Theirs", message_id="<t@x>"),
        source="postmark",
        mailbox=theirs,
    )

    body = client.get("/admin/mail/inboundmail/").content.decode()
    assert "By source" in body
    assert ('href="?source=imap"' in body, "postmark" in body) == (True, False)
    filtered = client.get("/admin/mail/inboundmail/", {"source": "imap"}).content.decode()
    assert "Mine" in filtered

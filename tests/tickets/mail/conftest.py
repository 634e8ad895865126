from __future__ import annotations

from email.message import EmailMessage

import pytest

from tickets.mail.models import Mailbox

SUPPORT = "support@help.example.com"


@pytest.fixture
def mailbox(queue):
    return Mailbox.objects.create(queue=queue, address=SUPPORT, display_name="Acme Support")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Originals and attachments are written under a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def make_mail(
    *,
    sender: str = "Anna Kunde <anna@customer.example>",
    to: str = SUPPORT,
    subject: str = "My invoice is wrong",
    body: str = "Hello, I was charged twice for December.",
    message_id: str | None = "<first.1@customer.example>",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        mail[name] = value
    if html is not None and not body:
        mail.set_content(html, subtype="html")
    else:
        mail.set_content(body)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(mail)

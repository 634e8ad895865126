"""Providers' inbound webhooks (django-anymail): the URLs and the receiver of anymail's signal.

anymail's views check each request (HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``, plus the
provider's own signature where it has one, e.g. Mailgun's HMAC with
``MAILGUN_WEBHOOK_SIGNING_KEY``) and parse the provider's payload into a mail; a forged request is
answered 400 and changes nothing. The receiver hands the mail, as bytes, to ``mail_receive``,
which finds the mailbox by the recipient address. Without a webhook secret configured, these
URLs answer 404: they are never open to anyone on the web.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from anymail.inbound import AnymailInboundMessage
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.brevo import BrevoInboundWebhookView
from anymail.webhooks.mailersend import MailerSendInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from .inbound import mail_receive
from .parsing import mail_bytes

logger = logging.getLogger(__name__)

# Providers by anymail's names; each at /mail/inbound/<name>/.
INBOUND_VIEWS: dict[str, Any] = {
    "amazon_ses": AmazonSESInboundWebhookView,
    "brevo": BrevoInboundWebhookView,
    "mailersend": MailerSendInboundWebhookView,
    "mailgun": MailgunInboundWebhookView,
    "mailjet": MailjetInboundWebhookView,
    "postmark": PostmarkInboundWebhookView,
    "sparkpost": SparkPostInboundWebhookView,
}


def webhook_secret_configured() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not webhook_secret_configured():
            raise Http404("Inbound mail webhooks are not configured.")
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as exc:
            # e.g. Mailgun's webhook without ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY: not set up.
            logger.warning("inbound mail webhook %s is not configured: %s", request.path, exc)
            raise Http404("This provider's inbound webhook is not configured.") from None

    return guarded


def inbound_urlpatterns() -> list[URLPattern]:
    return [
        path(f"{name}/", _guarded(view.as_view()), name=f"mail_inbound_{name}")
        for name, view in INBOUND_VIEWS.items()
    ]


def anymail_inbound_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's ``inbound`` signal: one received mail, already checked and parsed."""
    message: AnymailInboundMessage | None = getattr(event, "message", None)
    if message is None:
        return
    mail_receive(
        raw=mail_bytes(message),
        source=esp_name.lower().replace(" ", "_")[:40],
        envelope_recipient=str(getattr(message, "envelope_recipient", None) or ""),
    )

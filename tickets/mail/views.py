"""Downloading a customer's mail attachment (agents who may see the ticket only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from tickets.models import Agent

from .models import MailAttachment
from .selectors import mail_attachment_for_agent


@login_required
@require_GET
def mail_attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    assert isinstance(request.user, Agent)
    try:
        attachment = mail_attachment_for_agent(agent=request.user, attachment_id=attachment_id)
    except MailAttachment.DoesNotExist:
        raise Http404("No such attachment.") from None
    # Always a download, never rendered by the browser: the file is the customer's, not ours.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Mail: the mailboxes that bring customer mail in, what arrived (taken or refused), and the
delivery of agents' replies."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from tickets.models import Message, Queue, Ticket


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", "SSL/TLS (IMAPS, usually port 993)"
    STARTTLS = "starttls", "STARTTLS (usually port 143)"
    NONE = "none", "None (only on a trusted network)"


class Mailbox(models.Model):
    """A queue's support address, and optionally the IMAP mailbox polled for it.

    Mail to ``address`` (from IMAP or a provider's inbound webhook) opens tickets in ``queue``;
    agents' replies on those tickets go out from ``address``. ``imap_password`` is a secret: the
    console never shows it back and nothing logs it.
    """

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="mailbox")
    address = models.EmailField(unique=True, help_text="The support address customers write to.")
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown as the sender of replies (default: the team)."
    )
    enabled = models.BooleanField(default=True)
    imap_host = models.CharField(
        max_length=255, blank=True, help_text="Empty: mail arrives by provider webhook only."
    )
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(
        max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    imap_username = models.CharField(max_length=255, blank=True)
    imap_password = models.CharField(
        max_length=500, blank=True, default="", help_text="A secret: never shown back."
    )
    imap_folder = models.CharField(max_length=255, default="INBOX")
    authserv_id = models.CharField(
        "mail server's authserv-id",
        max_length=255,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                "A host name such as mx.example.com: letters, digits, dots, dashes.",
            )
        ],
        help_text=(
            "The name your receiving mail server writes in the Authentication-Results header "
            "(e.g. mx.example.com). When set, a mail whose sender failed DMARC there (or SPF "
            "with no passing DKIM signature) is held as refused instead of reaching a ticket; "
            "the console can accept it anyway. Empty: sender authentication is not checked."
        ),
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "mailboxes"
        constraints = [
            models.CheckConstraint(
                condition=Q(imap_port__gte=1) & Q(imap_port__lte=65535),
                name="mailbox_imap_port_valid",
            ),
            models.CheckConstraint(
                condition=Q(imap_security__in=MailboxSecurity.values),
                name="mailbox_imap_security_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        # Never the password.
        return f"<Mailbox {self.pk} {self.address}>"

    @property
    def polls_imap(self) -> bool:
        return bool(self.enabled and self.imap_host and self.imap_username)


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class InboundMail(models.Model):
    """One mail that arrived: the ticket message it became, or why it was refused.

    ``original`` keeps the mail exactly as received (a file in Django's default storage); the
    message body is only its new text. An accepted Message-ID is unique, so the same mail
    delivered twice makes one message.
    """

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    source = models.CharField(max_length=40, help_text="imap, or the provider's anymail name.")
    status = models.CharField(max_length=10, choices=InboundStatus.choices)
    reason = models.CharField(max_length=300, blank=True, default="")
    message_id_header = models.CharField(max_length=255)
    sender = models.CharField(max_length=254, blank=True, default="")
    subject = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    original = models.FileField(upload_to="mail/inbound/%Y/%m/", blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_mails"
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_mail"
    )
    skipped = models.JSONField(
        default=list, blank=True, help_text="Parts left out of an accepted mail, with the reason."
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InboundStatus.values), name="inbound_mail_status_valid"
            ),
            models.UniqueConstraint(
                fields=["message_id_header"],
                condition=Q(status="accepted"),
                name="inbound_mail_unique_accepted_message_id",
            ),
        ]
        indexes = [models.Index(fields=["message_id_header"], name="inbound_mail_message_id_idx")]

    def __str__(self) -> str:
        return f"{self.status} mail {self.message_id_header}"


class MailAttachment(models.Model):
    """A file that came with a customer's mail, kept through Django's storage API."""

    inbound_mail = models.ForeignKey(
        InboundMail, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="mail/attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundMail(models.Model):
    """The delivery of an agent's reply to the customer by mail.

    ``queued`` until the mail server accepts it (a failed try is retried later, its error kept in
    ``last_error``), then ``sent``; ``failed`` after ``MAIL_SEND_ATTEMPTS_MAX`` tries or an error
    no retry can fix. ``next_attempt_at`` doubles as the claim of the worker sending it.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbound_mail")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="outbound_mails")
    message_id_header = models.CharField(max_length=255, unique=True)
    to_address = models.EmailField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="outbound_mail_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbound_mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.state} reply {self.message_id_header}"

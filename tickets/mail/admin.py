"""Console pages: a team's mailboxes (leads: their own team's queues; admins: all) and the record
of received mail, taken or refused (read only; a mail held because its sender failed
authentication can be accepted anyway). The IMAP password is write-only, like a Slack
webhook URL: never rendered back; left empty on edit, it is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from kimondesk.admin_mixins import ReadOnlyAdminMixin, TeamScopedAdminMixin, ticket_page_link

from .inbound import MailNotHeld, inbound_mail_accept_anyway
from .models import InboundMail, InboundStatus, Mailbox


class MailboxAdminForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Write-only. Leave empty to keep the stored password.",
    )

    class Meta:
        model = Mailbox
        fields = (
            "queue",
            "address",
            "display_name",
            "enabled",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_username",
            "imap_password",
            "imap_folder",
            "authserv_id",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["imap_password"] = ""
        if self.instance.imap_password:
            self.fields["imap_password"].help_text = (
                "A password is stored (not shown). Leave empty to keep it; enter a new one to "
                "replace it."
            )

    def clean_imap_password(self) -> str:
        value = str(self.cleaned_data.get("imap_password") or "")
        if not value:
            return self.instance.imap_password if self.instance.pk else ""
        return value

    def clean_address(self) -> str:
        return str(self.cleaned_data.get("address") or "").strip().lower()


@admin.register(Mailbox)
class MailboxAdmin(TeamScopedAdminMixin, admin.ModelAdmin):
    form = MailboxAdminForm
    team_lookup = "queue__team"
    list_display = ("address", "queue", "enabled", "imap_host", "last_polled_at", "last_poll_error")
    list_select_related = ("queue__team",)
    search_fields = ("address",)
    readonly_fields = ("last_polled_at", "last_poll_error")


class SourceListFilter(admin.SimpleListFilter):
    """The sources of the mails the viewer may see (Django's filter of all values would list
    every team's, and show an empty filter before any mail came)."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        sources = (
            model_admin.get_queryset(request)
            .order_by("source")
            .values_list("source", flat=True)
            .distinct()
        )
        return [(source, source) for source in sources]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    team_lookup = "mailbox__queue__team"
    list_display = ("received_at", "status", "reason", "sender", "subject", "source", "ticket")
    list_filter = ("status", SourceListFilter)
    list_select_related = ("mailbox", "ticket")
    search_fields = ("sender", "subject", "message_id_header")
    exclude = ("original",)
    readonly_fields = ("ticket_page",)
    actions = ("accept_anyway",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The ticket, where the model has it, as a link to its workspace page."""
        fields = super().get_fields(request, obj)
        return [
            "ticket_page" if name == "ticket" else name for name in fields if name != "ticket_page"
        ]

    @admin.display(description="Ticket")
    def ticket_page(self, inbound: InboundMail) -> str:
        return ticket_page_link(inbound.ticket_id, inbound.ticket.subject if inbound.ticket else "")

    @admin.action(description="Accept the selected mails anyway (held: sender not authenticated)")
    def accept_anyway(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        for inbound in queryset.select_related("mailbox__queue"):
            try:
                outcome = inbound_mail_accept_anyway(
                    inbound=inbound,
                    actor=request.user,  # type: ignore[arg-type]
                )
            except (MailNotHeld, PermissionDenied) as exc:
                messages.error(request, f"{inbound.sender} “{inbound.subject}”: {exc}")
                continue
            if outcome.status == InboundStatus.ACCEPTED:
                messages.success(
                    request,
                    f"{inbound.sender} “{inbound.subject}” accepted: ticket #{outcome.ticket_id}.",
                )
            else:
                messages.warning(
                    request, f"{inbound.sender} “{inbound.subject}” refused: {outcome.reason}"
                )

"""The ticket page, its composers and controls, the escalate form and the live catch-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from escalations import services as escalation_services
from escalations.exceptions import EscalationConflict
from escalations.feedback.selectors import escalation_feedback_panel
from escalations.feedback.services import escalation_feedback_give
from escalations.models import Escalation
from escalations.presentation import escalation_summary_event
from escalations.questions import escalation_question_ask, escalation_question_askee
from escalations.sla.selectors import sla_ledger, sla_summary
from kimondesk.bounds import ESCALATION_QUESTION_MAX_CHARS
from tickets import selectors, services
from tickets.customer_context.selectors import customer_context_for_ticket, customer_last_message
from tickets.exceptions import TicketVersionConflict
from tickets.forms import (
    ESCALATE_TAG,
    EscalateForm,
    NoteForm,
    RefundForm,
    ReplyForm,
    TagsForm,
    TicketControlsForm,
    form_errors_from,
)
from tickets.history import ticket_history
from tickets.macros.models import Macro
from tickets.models import Agent, AuthorType, Note, Ticket
from tickets.templatetags.tickets_ui import sla_badge_context


def _agent(request: HttpRequest) -> Agent:
    assert isinstance(request.user, Agent)
    return request.user


def _ticket_or_404(request: HttpRequest, ticket_id: int) -> Ticket:
    try:
        return selectors.ticket_for_page(agent=_agent(request), ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def _escalation_or_404(agent: Agent, escalation_id: int) -> Escalation:
    try:
        return selectors.escalation_for_agent(agent=agent, escalation_id=escalation_id)
    except Escalation.DoesNotExist:
        raise Http404("No such escalation.") from None


def _pinned_context(
    escalation: Escalation, agent: Agent, html: str, sla: dict[str, Any]
) -> dict[str, Any]:
    return {
        "escalation": escalation,
        "sla": sla,
        "summary_html": html,
        "can_acknowledge": selectors.escalation_can_acknowledge(escalation=escalation, agent=agent),
        "ack_on_behalf_of": selectors.escalation_ack_on_behalf_of(
            escalation=escalation, agent=agent
        ),
        "feedback_panel": escalation_feedback_panel(escalation=escalation, agent=agent),
        "ask_whom": escalation_question_askee(escalation=escalation, agent=agent),
        "question_max_chars": ESCALATION_QUESTION_MAX_CHARS,
    }


def ticket_page_render(
    request: HttpRequest,
    ticket: Ticket,
    *,
    status: int = 200,
    controls_conflict: list[dict[str, Any]] | None = None,
    chosen_macro: Macro | None = None,
    **bound: Form,
) -> HttpResponse:
    """The ticket page; ``bound`` forms come back with their errors, and a reply refused while
    made from a macro keeps that macro chosen (sending again still applies it)."""
    agent = _agent(request)
    escalations = selectors.ticket_escalations(ticket=ticket)
    for escalation in escalations:
        escalation.ticket = ticket
    latest = escalations[0] if escalations else None
    sla = sla_summary(ticket=ticket)
    pinned = None
    if latest is not None:
        html = escalation_summary_event(escalation=latest)["html"]
        pinned = _pinned_context(latest, agent, html, sla)
    tag_names = [tag.name for tag in ticket.tags.all()]
    context = {
        "ticket": ticket,
        "timeline": selectors.ticket_timeline(ticket=ticket),
        "refunds": selectors.ticket_refund_requests(ticket=ticket),
        "escalations": escalations,
        "pinned": pinned,
        "last_escalation_id": latest.pk if latest else 0,
        "sla": sla,
        "ledger": sla_ledger(ticket=ticket),
        "reply_form": bound.get("reply_form") or ReplyForm(),
        "note_form": bound.get("note_form") or NoteForm(),
        "controls_form": bound.get("controls_form")
        or TicketControlsForm(
            initial=TicketControlsForm.initial_for(ticket=ticket),
            assignees=selectors.ticket_assignee_choices(ticket=ticket),
        ),
        "controls_conflict": controls_conflict or [],
        "tags_form": bound.get("tags_form") or TagsForm(initial={"tags": ", ".join(tag_names)}),
        "refund_form": bound.get("refund_form")
        or RefundForm(initial={"currency": selectors.ticket_currency(ticket=ticket)}),
        "customer_context": customer_context_for_ticket(agent=agent, ticket=ticket),
        "history": ticket_history(ticket=ticket),
        "chosen_macro": chosen_macro,
    }
    return render(request, "tickets/ticket_detail.html", context, status=status)


def _back_to(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(reverse("ticket_detail", args=[ticket.pk]) + anchor)


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return ticket_page_render(request, _ticket_or_404(request, ticket_id))


@login_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return ticket_page_render(request, ticket, status=400, reply_form=form)
    services.message_add(
        ticket=ticket,
        author_type=AuthorType.AGENT,
        body=form.cleaned_data["body"],
        author=_agent(request),
    )
    messages.success(request, "Reply sent.")
    return _back_to(ticket, "#timeline")


@login_required
@require_POST
def ticket_note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return ticket_page_render(request, ticket, status=400, note_form=form)
    services.note_add(ticket=ticket, body=form.cleaned_data["body"], author=_agent(request))
    messages.success(request, "Note added.")
    return _back_to(ticket, "#timeline")


@login_required
@require_POST
def ticket_controls(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    """Save the fields the agent changed, if nobody changed the ticket since the page showed it.

    If someone did and a field the page showed is now different, nothing is written: the page
    comes back (409) naming what changed and by whom, with the agent's choices kept and based
    on the current version, so that Save applies them. A newer version with no visible
    difference (a customer message, an escalation count) does not stop the save.
    """
    ticket = _ticket_or_404(request, ticket_id)
    form = TicketControlsForm(
        request.POST, assignees=selectors.ticket_assignee_choices(ticket=ticket)
    )
    if form.is_valid():
        changes = form.changes()
        version = form.cleaned_data["version"]
        try:
            try:
                services.ticket_update(
                    ticket=ticket, actor=_agent(request), expected_version=version, **changes
                )
            except TicketVersionConflict as stale:
                fresh = _ticket_or_404(request, ticket_id)
                conflict = selectors.ticket_meta_changes(ticket=fresh, seen=form.seen())
                if conflict:
                    return ticket_page_render(
                        request,
                        fresh,
                        status=409,
                        controls_form=form.rebased(ticket=fresh),
                        controls_conflict=conflict,
                    )
                services.ticket_update(
                    ticket=ticket, actor=_agent(request), expected_version=stale.current, **changes
                )
        except ValidationError as exc:
            form_errors_from(form, exc)
    if not form.is_valid():
        return ticket_page_render(request, ticket, status=400, controls_form=form)
    messages.success(request, "Ticket updated.")
    return _back_to(ticket)


@login_required
@require_POST
def ticket_tags(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Set the tags. Adding ``escalate`` needs a handoff, so it leads to the escalate form."""
    ticket = _ticket_or_404(request, ticket_id)
    form = TagsForm(request.POST)
    if form.is_valid():
        wanted: list[str] = form.cleaned_data["tags"]
        current = {tag.name for tag in ticket.tags.all()}
        escalating = ESCALATE_TAG in wanted and ESCALATE_TAG not in current
        others = [name for name in wanted if name != ESCALATE_TAG or not escalating]
        try:
            services.ticket_update(ticket=ticket, actor=_agent(request), tags=others)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if escalating:
                return redirect(reverse("ticket_escalate", args=[ticket.pk]) + "?via_tag=1")
            messages.success(request, "Tags saved.")
            return _back_to(ticket)
    return ticket_page_render(request, ticket, status=400, tags_form=form)


@login_required
@require_POST
def ticket_refund(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.refund_request_create(
                ticket=ticket,
                amount=form.cleaned_data["amount"],
                currency=form.cleaned_data["currency"],
                reason=form.cleaned_data["reason"],
                actor=_agent(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Refund request recorded.")
            return _back_to(ticket, "#refunds")
    return ticket_page_render(request, ticket, status=400, refund_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The escalate form: its own page, or with ``?drawer=1`` the form alone for the ticket
    page's drawer (a success is then JSON, 201; the pinned summary arrives by the live push)."""
    ticket = _ticket_or_404(request, ticket_id)
    agent = _agent(request)
    drawer = request.GET.get("drawer") == "1"
    choices = selectors.escalation_choices_for(agent=agent, ticket=ticket)
    status = 200
    if request.method == "GET":
        form = EscalateForm(initial={"via_tag": request.GET.get("via_tag") == "1"}, choices=choices)
    else:
        form = EscalateForm(request.POST, choices=choices)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                escalation = escalation_services.escalation_create_manual(
                    ticket=ticket,
                    actor=agent,
                    tried=data["tried"],
                    diagnosis=data["diagnosis"],
                    authority_needed=data["authority_needed"],
                    via_tag=data["via_tag"],
                    **form.receiver(),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            except EscalationConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                receiver = escalation.to_agent or escalation.to_queue or escalation.target
                done = f"Escalated to {receiver}." if receiver else "Escalated."
                if drawer:
                    return JsonResponse({"escalation": escalation.pk, "message": done}, status=201)
                messages.success(request, done)
                return _back_to(ticket)
        form.focus_first_error()
    template = "tickets/_escalate_form.html" if drawer else "tickets/escalate.html"
    return render(request, template, {"ticket": ticket, "form": form}, status=status)


@login_required
@require_POST
def escalation_acknowledge_page(request: HttpRequest, escalation_id: int) -> HttpResponse:
    agent = _agent(request)
    escalation = _escalation_or_404(agent, escalation_id)
    try:
        escalation_services.escalation_acknowledge(escalation=escalation, actor=agent)
    except EscalationConflict as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, "Escalation acknowledged.")
    return _back_to(escalation.ticket)


# What a pinned-summary form may be refused with: 400, 403 and 409.
REFUSALS = (ValidationError, PermissionDenied, EscalationConflict)


def _refused(
    request: HttpRequest,
    escalation: Escalation,
    error: Exception,
    lead_in: Callable[[str], str],
) -> HttpResponse:
    """The ticket page again with the refusal as messages (``lead_in(field)`` before each)."""
    if isinstance(error, ValidationError):
        for field, problems in error.message_dict.items():
            messages.error(request, f"{lead_in(field)}{' '.join(problems)}")
    else:
        messages.error(request, f"{lead_in('')}{error}")
    status = {ValidationError: 400, PermissionDenied: 403}.get(type(error), 409)
    return ticket_page_render(request, _ticket_or_404(request, escalation.ticket_id), status=status)


@login_required
@require_POST
def escalation_feedback_page(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """The pinned summary's "Needed" / "Not needed" buttons (a plain form: works without JS)."""
    agent = _agent(request)
    escalation = _escalation_or_404(agent, escalation_id)
    try:
        given = escalation_feedback_give(
            escalation=escalation,
            actor=agent,
            needed={"yes": True, "no": False}.get(request.POST.get("needed", "")),
            reason=request.POST.get("reason", ""),
            comment=request.POST.get("comment", ""),
        )
    except REFUSALS as error:
        return _refused(
            request, escalation, error, lambda field: f"{field.capitalize()}: " if field else ""
        )
    messages.success(request, "Feedback saved." if given.created else "Feedback updated.")
    return _back_to(escalation.ticket, "#pinned")


@login_required
@require_POST
def escalation_question_page(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """The pinned summary's "Ask … a question" form (a plain form: works without JS)."""
    agent = _agent(request)
    escalation = _escalation_or_404(agent, escalation_id)
    try:
        note = escalation_question_ask(
            escalation=escalation, actor=agent, body=request.POST.get("body", "")
        )
    except REFUSALS as error:
        return _refused(request, escalation, error, lambda field: "Question not sent: ")
    messages.success(request, f"Question sent to {note.addressed_to}.")
    return _back_to(escalation.ticket, f"#note-{note.pk}")


def _history_lines_html(ticket: Ticket) -> str:
    return render_to_string(
        "tickets/_history_lines.html", {"history": ticket_history(ticket=ticket)}
    )


@login_required
@require_GET
def ticket_history_lines(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The History card's lines, as the page shows them: read again by an open page when a
    pushed change, reply or note adds one (the rest of the page is kept current by the pushes)."""
    return HttpResponse(_history_lines_html(_ticket_or_404(request, ticket_id)))


@login_required
@require_GET
def ticket_live(request: HttpRequest, ticket_id: int) -> JsonResponse:
    """What a ticket page missed: summaries of escalations after ``since``, the SLA badge, the
    escalation history, the History card and, given ``messages_after``/``notes_after`` (the newest ids it shows),
    the messages and notes it has not got (``entries``, at most ``CATCH_UP_MAX_ENTRIES``, with
    ``entries_left`` true when more wait). The page calls it whenever its socket (re)connects."""
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        return JsonResponse({"since": ["Must be an escalation id."]}, status=400)
    after: dict[str, int] = {}
    for field in ("messages_after", "notes_after"):
        raw = request.GET.get(field)
        if raw is not None:
            if not raw.isdigit() or len(raw) > 18:
                return JsonResponse(
                    {field: ["Must be a message or note id (0 or more)."]}, status=400
                )
            after[field] = int(raw)
    ticket = _ticket_or_404(request, ticket_id)
    agent = _agent(request)
    timeline: dict[str, Any] = {}
    if after:
        items, more = selectors.ticket_timeline_after(
            ticket=ticket,
            message_after=after.get("messages_after", 0),
            note_after=after.get("notes_after", 0),
        )
        timeline = {
            "entries": [
                {
                    "id": f"{'note' if isinstance(item, Note) else 'message'}-{item.pk}",
                    "html": render_to_string(
                        "tickets/_timeline_entry.html", {"item": item, "ticket": ticket}
                    ),
                }
                for item in items
            ],
            "entries_left": more,
        }
    sla = sla_summary(ticket=ticket)
    events = []
    for escalation in selectors.ticket_escalations_since(ticket_id=ticket.pk, since_id=since):
        escalation.ticket = ticket
        event = escalation_summary_event(escalation=escalation)
        event["pinned_html"] = render_to_string(
            "tickets/_pinned.html",
            _pinned_context(escalation, agent, event["html"], sla),
            request,
        )
        events.append(event)
    return JsonResponse(
        {
            "ticket": ticket.pk,
            # The meta form's fields by name (values and the hidden version/seen_* fields): a
            # page whose form the agent has not touched takes them over.
            "state": TicketControlsForm.initial_for(ticket=ticket),
            "meta_html": render_to_string("tickets/_ticket_meta.html", {"ticket": ticket}),
            "events": events,
            "sla": sla,
            "sla_html": render_to_string("tickets/_sla_badge.html", sla_badge_context(sla)),
            "customer_sentiment_html": render_to_string(
                "tickets/_last_sentiment.html",
                {"message": customer_last_message(agent=agent, ticket=ticket)},
            ),
            "history_html": render_to_string(
                "tickets/_escalation_history.html",
                {"escalations": selectors.ticket_escalations(ticket=ticket)},
            ),
            "ticket_history_html": _history_lines_html(ticket),
            **timeline,
        }
    )

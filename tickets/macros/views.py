"""The ticket page's macro picker: search, the rendered text, and sending a reply made from a
macro. Thin adapters over ``tickets.macros.selectors`` and ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kimondesk.bounds import MACRO_SEARCH_MAX_CHARS
from tickets.forms import ReplyForm
from tickets.models import Agent, Ticket
from tickets.selectors import ticket_for_page
from tickets.views.ticket import ticket_page_render

from .models import Macro
from .selectors import macro_actions_text, macro_render_for, macro_search, macros_usable_on
from .services import macro_apply


def _agent(request: HttpRequest) -> Agent:
    assert isinstance(request.user, Agent)
    return request.user


def _ticket_or_404(request: HttpRequest, ticket_id: int) -> Ticket:
    try:
        return ticket_for_page(agent=_agent(request), ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def _macro_or_404(agent: Agent, ticket: Ticket, macro_id: str | int) -> Macro:
    """A macro ``agent`` may use on ``ticket``; 404 for any other (another team's is not there)."""
    try:
        pk = int(macro_id)
    except (TypeError, ValueError):
        raise Http404("No such macro.") from None
    macro = macros_usable_on(agent=agent, ticket=ticket).filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    return macro


@login_required
@require_GET
def ticket_macros(request: HttpRequest, ticket_id: int) -> JsonResponse:
    """The picker's list for ``?q=`` (name or text contains it): ``{"macros": [...]}``."""
    ticket = _ticket_or_404(request, ticket_id)
    query = request.GET.get("q", "")
    if len(query) > MACRO_SEARCH_MAX_CHARS:
        return JsonResponse(
            {"q": [f"At most {MACRO_SEARCH_MAX_CHARS} characters (got {len(query)})."]}, status=400
        )
    found = macro_search(macros=macros_usable_on(agent=_agent(request), ticket=ticket), query=query)
    return JsonResponse(
        {
            "macros": [
                {
                    "id": macro.pk,
                    "name": macro.name,
                    "scope": "Personal" if macro.is_personal else "Team",
                    "actions": macro_actions_text(macro=macro),
                    "render_url": reverse("ticket_macro_render", args=[ticket.pk, macro.pk]),
                }
                for macro in found
            ]
        }
    )


@login_required
@require_GET
def ticket_macro_render(request: HttpRequest, ticket_id: int, macro_id: int) -> JsonResponse:
    """The macro's text filled in for this ticket and agent, to insert into the composer."""
    ticket = _ticket_or_404(request, ticket_id)
    agent = _agent(request)
    rendering = macro_render_for(
        macro=_macro_or_404(agent, ticket, macro_id), ticket=ticket, agent=agent
    )
    return JsonResponse(
        {
            "id": rendering.macro.pk,
            "name": rendering.macro.name,
            "text": rendering.reply.text,
            "preview_html": str(rendering.reply.preview_html),
            "missing": rendering.reply.missing_labels,
            "actions": rendering.actions,
            "note_preview_html": str(rendering.note.preview_html) if rendering.note else "",
        }
    )


@login_required
@require_POST
def ticket_macro_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send the composer's reply made from a macro (``macro`` names it) and apply the macro's
    actions. A macro the agent may not use here is a 404 and nothing is sent."""
    ticket = _ticket_or_404(request, ticket_id)
    agent = _agent(request)
    macro = _macro_or_404(agent, ticket, request.POST.get("macro", ""))
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            macro_apply(macro=macro, ticket=ticket, actor=agent, body=form.cleaned_data["body"])
        except PermissionDenied:
            raise Http404("No such macro.") from None
        except ValidationError as exc:
            # The composer shows the body's errors: name any other field in the message.
            for field, problems in exc.message_dict.items():
                form.add_error(
                    "body", problems if field == "body" else [f"{field}: {p}" for p in problems]
                )
        else:
            messages.success(request, f"Reply sent via macro “{macro.name}”.")
            return redirect(reverse("ticket_detail", args=[ticket.pk]) + "#timeline")
    return ticket_page_render(request, ticket, status=400, reply_form=form, chosen_macro=macro)

"""The agent's macro page: their personal macros (add, change, delete) and their team's macros
to read. Thin adapters over ``tickets.macros.selectors`` and ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tickets.forms import form_errors_from
from tickets.models import Agent

from .forms import PersonalMacroForm
from .models import MACRO_CONTENT_FIELDS, Macro
from .selectors import macro_actions_text, macros_visible_to
from .services import macro_delete, macro_save


def _agent(request: HttpRequest) -> Agent:
    assert isinstance(request.user, Agent)
    return request.user


def _personal_or_404(agent: Agent, macro_id: int) -> Macro:
    macro = Macro.objects.filter(pk=macro_id, owner=agent).first()
    if macro is None:
        raise Http404("No such macro of yours.")
    return macro


def _page(
    request: HttpRequest, form: PersonalMacroForm, editing: Macro | None, status: int
) -> HttpResponse:
    agent = _agent(request)
    macros = list(macros_visible_to(agent=agent).order_by("name", "id"))
    return render(
        request,
        "tickets/macros.html",
        {
            "personal": [m for m in macros if m.owner_id == agent.pk],
            "team_macros": [
                (m, macro_actions_text(macro=m)) for m in macros if m.team_id is not None
            ],
            "form": form,
            "editing": editing,
        },
        status=status,
    )


def _save(request: HttpRequest, macro: Macro) -> HttpResponse:
    agent = _agent(request)
    form = PersonalMacroForm(request.POST, instance=Macro(pk=macro.pk, owner=agent))
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in ("name", *MACRO_CONTENT_FIELDS)}
        try:
            saved = macro_save(macro=macro, actor=agent, values={**values, "owner": agent})
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Macro “{saved.name}” saved.")
            return redirect("macro_list")
    return _page(request, form, macro if macro.pk else None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def macro_list(request: HttpRequest) -> HttpResponse:
    """The list, and the form that adds a personal macro."""
    if request.method == "POST":
        return _save(request, Macro(owner=_agent(request)))
    return _page(request, PersonalMacroForm(), None, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, personal_macro_id: int) -> HttpResponse:
    macro = _personal_or_404(_agent(request), personal_macro_id)
    if request.method == "POST":
        return _save(request, macro)
    return _page(request, PersonalMacroForm(instance=macro), macro, status=200)


@login_required
@require_POST
def macro_delete_page(request: HttpRequest, personal_macro_id: int) -> HttpResponse:
    macro = _personal_or_404(_agent(request), personal_macro_id)
    macro_delete(macro=macro, actor=_agent(request))
    messages.success(request, f"Macro “{macro.name}” deleted.")
    return redirect("macro_list")

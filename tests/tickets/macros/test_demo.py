"""The demo data holds macros, their uses and escalations that make both coaching prompts show
on first start, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from reports.coaching.selectors import team_escalation_topics
from reports.selectors import month_default, month_window, team_zone
from tickets.macros.demo import DEMO_MACROS
from tickets.macros.models import Macro, MacroUse
from tickets.models import Team

pytestmark = pytest.mark.django_db


def test_demo_macros_uses_and_both_kinds_of_prompt_once():
    call_command("seed_demo", tickets=600, customers=60, stdout=StringIO(), stderr=StringIO())
    macros, uses = Macro.objects.count(), MacroUse.objects.count()
    call_command("seed_demo", tickets=600, customers=60, stdout=StringIO(), stderr=StringIO())

    assert (Macro.objects.count(), MacroUse.objects.count()) == (macros, uses)
    assert macros == len(DEMO_MACROS)
    assert uses > 0
    billing = Team.objects.get(name="Billing")
    window = month_window(month=month_default(team=billing), zone=team_zone(team=billing))
    topics = team_escalation_topics(team=billing, window=window)
    # The demo is dated back from the moment it is seeded: other topics may reach a prompt at
    # some hours, the payment plans always do.
    payments = [p for p in topics.write_macro if p.topic.tickets_words == "Payments tickets"]
    assert [p.topic.authority for p in payments] == ["agree a payment plan with the customer"]
    assert payments[0].avoidable == 2
    with_macro = {
        group.macro.macro.name for row in topics.agents for group in row.groups if group.macro
    }
    assert "Refund under 200" in with_macro
    never_used = Macro.objects.filter(team=billing, uses__isnull=True).values_list(
        "name", flat=True
    )
    assert list(never_used) == ["Dunning letter explained"]

"""Handoff quality per agent and rule health per rule."""

from datetime import date, timedelta

import pytest

from reports.selectors import handoff_by_agent, month_window, rule_health, team_zone
from tests import factories
from tests.reports.conftest import at, held
from tickets.models import EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def handoffs():
    team = factories.TeamFactory(name="Support")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    lee = factories.LeadFactory(username="lee", name="Lee", team=team)
    queue = factories.QueueFactory(name="General", team=team)
    rule = factories.RuleFactory(name="Angry customer", team=team, kind="escalation")
    factories.RuleFactory(name="Zz never fires", team=team, kind="escalation")
    t1, t2, t3, t4 = factories.TicketFactory.create_batch(4, queue=queue)
    for t in (t1, t2, t3):
        held(t, ana, at(1))
    held(t4, bo, at(1))
    # e1: complete, acknowledged after 10 min, the receiver's first note after 30 min; assigned
    # back to Ana only after 8 days (outside the avoidable window)
    e1 = factories.BackdatedEscalationFactory(
        ticket=t1,
        initiated_by=ana,
        from_agent=ana,
        to_agent=lee,
        acknowledged_at=at(5, 12, minute=10),
        created_at=at(5),
    )
    held(t1, lee, at(5, 12, minute=30), kind=EventKind.NOTE_ADDED, actor=lee)
    held(t1, ana, at(13, 13), kind=EventKind.ASSIGNED, actor=lee, **{"from": lee.pk, "to": ana.pk})
    # e2: incomplete handoff, never acknowledged, bounced back to Ana the next day
    factories.BackdatedEscalationFactory(
        ticket=t2,
        initiated_by=ana,
        from_agent=ana,
        to_agent=lee,
        handoff_tried="  ",
        created_at=at(6),
    )
    held(t2, ana, at(7), kind=EventKind.ASSIGNED, actor=lee, **{"from": lee.pk, "to": ana.pk})
    # e3: a rule fired on Ana's ticket; acknowledged after 20 min; Ana solved it herself
    factories.BackdatedEscalationFactory(
        ticket=t3,
        trigger="sentiment_negative",
        rule=rule,
        from_agent=ana,
        to_agent=lee,
        acknowledged_at=at(8, 12, minute=20),
        created_at=at(8),
    )
    held(t3, lee, at(8, 14), kind=EventKind.STATUS_CHANGED, actor=ana, to="solved")
    # e4: the rule fired on Bo's ticket, acknowledged within 5 min
    factories.BackdatedEscalationFactory(
        ticket=t4,
        trigger="sentiment_negative",
        rule=rule,
        from_agent=bo,
        to_agent=lee,
        acknowledged_at=at(9, 12, minute=5),
        created_at=at(9),
    )
    window = month_window(month=date(2026, 3, 1), zone=team_zone(team=team))
    return {"team": team, "ana": ana, "bo": bo, "lee": lee, "window": window, "e1": e1}


def test_handoff_quality_per_agent_counts_only_the_handoffs_they_wrote(handoffs):
    # e3 and e4 were fired by a rule on the customer's message: no handoff of Ana's or Bo's
    ana_stats, bo_stats, lee_stats = handoff_by_agent(
        agents=[handoffs["ana"], handoffs["bo"], handoffs["lee"]], window=handoffs["window"]
    )

    assert (ana_stats.escalations, ana_stats.complete) == (2, 1)
    assert ana_stats.complete_rate == 0.5
    assert (ana_stats.acknowledged, ana_stats.acknowledged_quickly) == (1, 1)
    assert ana_stats.avg_ack == timedelta(minutes=10)
    assert ana_stats.avg_first_action == timedelta(minutes=30)
    assert (ana_stats.bounced, ana_stats.solved_by_holder, ana_stats.avoidable) == (1, 0, 1)
    assert (bo_stats.escalations, bo_stats.complete_rate, bo_stats.avg_ack) == (0, None, None)
    assert (lee_stats.escalations, lee_stats.complete_rate, lee_stats.avg_ack) == (0, None, None)


def test_rule_health_lists_every_team_rule_with_fired_quick_and_bounced(handoffs):
    stats = rule_health(team=handoffs["team"], window=handoffs["window"])

    assert [(s.label, s.escalations, s.acknowledged_quickly, s.bounced) for s in stats] == [
        ("Angry customer", 2, 1, 0),
        ("Zz never fires", 0, 0, 0),
    ]
    assert stats[0].quick_ack_rate == 0.5
    assert stats[0].avoidable == 1
    # A rule writes no handoff: no handoff quality, rather than 0 %.
    assert [(s.complete, s.complete_rate) for s in stats] == [(None, None), (None, None)]

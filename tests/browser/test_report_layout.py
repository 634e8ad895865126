"""A real Chromium: the rule-health table shows every column on a laptop screen with long rule names
wrapping, and on a phone its figures scroll under the rule's name (screenshots under artifacts/)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]

LONG_RULE_NAME = "Support: premium customers asking for a refund over the threshold go to the lead"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def rules_that_fired(transactional_db, team, queue, junior, lead):
    """Three rules of the team, one with a long name, each fired once this month."""
    names = [LONG_RULE_NAME, "Support: angry customer to the lead", "Support: escalate tag"]
    rules = [factories.RuleFactory(name=name, team=team) for name in names]
    for rule in rules:
        factories.EscalationFactory(
            ticket=factories.TicketFactory(queue=queue, assignee=lead),
            rule=rule,
            trigger=rule.trigger_kind,
            from_agent=junior,
            to_agent=lead,
        )
    return rules


@contextmanager
def _rule_health_page(live_url, lead, viewport):
    cookie = session_cookie(lead, live_url)
    month = timezone.now().strftime("%Y-%m")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/reports/rules/?team={lead.team_id}&month={month}")
        expect(page.locator("#rules-h + .table-wrap tbody tr")).to_have_count(3)
        try:
            yield page
        finally:
            browser.close()


# The rule table's box, its wrapper's, the "Avoidable" header's right edge, the page's scroll
# width, and how many lines the long rule name takes.
RULE_TABLE_GEOMETRY = """(longName) => {
  const wrap = document.querySelector('#rules-h + .table-wrap');
  const header = [...wrap.querySelectorAll('thead th')].pop();
  const name = [...wrap.querySelectorAll('tbody th')].find(th => th.textContent.trim() === longName);
  const lineHeight = parseFloat(getComputedStyle(name).lineHeight);
  const padding = parseFloat(getComputedStyle(name).paddingTop) + parseFloat(getComputedStyle(name).paddingBottom);
  return {
    tableScrollWidth: wrap.scrollWidth, wrapWidth: wrap.clientWidth,
    lastHeader: header.textContent.trim(),
    lastHeaderRight: Math.round(header.getBoundingClientRect().right),
    wrapRight: Math.round(wrap.getBoundingClientRect().right),
    pageScrollWidth: document.documentElement.scrollWidth,
    viewportWidth: document.documentElement.clientWidth,
    nameLines: Math.round((name.getBoundingClientRect().height - padding) / lineHeight),
  };
}"""


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1366, "height": 768}, {"width": 1440, "height": 900}],
    ids=["laptop-1366", "laptop-1440"],
)
def test_rule_health_shows_every_column_on_a_laptop(live_url, rules_that_fired, lead, viewport):
    with _rule_health_page(live_url, lead, viewport) as page:
        geometry = page.evaluate(RULE_TABLE_GEOMETRY, LONG_RULE_NAME)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"rule-health-{viewport['width']}.png"), full_page=True
        )

    # Then the table fits its card: nothing to scroll, the last column inside the card
    assert geometry["lastHeader"] == "Avoidable"
    assert geometry["tableScrollWidth"] <= geometry["wrapWidth"], geometry
    assert geometry["lastHeaderRight"] <= geometry["wrapRight"], geometry
    # and the page does not scroll sideways
    assert geometry["pageScrollWidth"] == geometry["viewportWidth"], geometry
    # and the long rule name wraps over a few lines rather than a word per line
    assert 2 <= geometry["nameLines"] <= 4, geometry


def test_rule_health_on_a_phone_scrolls_the_figures_under_the_rule_name(
    live_url, rules_that_fired, lead
):
    with _rule_health_page(live_url, lead, PHONE) as page:
        wrap = page.locator("#rules-h + .table-wrap")
        name = wrap.locator("tbody th", has_text=LONG_RULE_NAME)
        name_left_before = name.bounding_box()["x"]
        wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        avoidable = wrap.locator("thead th").last
        expect(avoidable).to_be_in_viewport()
        name_left_after = name.bounding_box()["x"]
        page_scroll_width = page.evaluate("document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "rule-health-phone.png"), full_page=True)

    # Then the page itself does not scroll sideways; the table does, inside its card,
    # and the rule's name stays where it was while the last column comes into view
    assert page_scroll_width == PHONE["width"]
    assert name_left_after == name_left_before

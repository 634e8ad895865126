"""The Content-Security-Policy (django-csp) holds on every page and in the admin: a real
Chromium walks them, signed in as an admin, and records every violation the browser reports."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def desk(transactional_db, team, queue, junior, senior, lead):
    ticket = factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)
    factories.MessageFactory(ticket=ticket, body="I was charged twice.")
    rule = factories.RuleFactory(name="Angry", trigger_kind="sentiment_negative")
    admin = factories.AdminFactory(username="root")
    return {"ticket": ticket, "rule": rule, "admin": admin, "junior": junior}


def _paths(desk) -> list[str]:
    ticket, rule, junior = desk["ticket"].pk, desk["rule"].pk, desk["junior"].pk
    return [
        "/",
        "/queues/mine/",
        "/queues/team/",
        "/queues/escalated/",
        f"/tickets/{ticket}/",
        f"/tickets/{ticket}/escalate/",
        "/reports/",
        f"/reports/agents/{junior}/",
        "/admin/",
        "/admin/escalations/rule/",
        "/admin/escalations/rule/add/",
        f"/admin/escalations/rule/{rule}/change/",
        "/admin/escalations/slapolicy/add/",
        "/admin/escalations/calendar/add/",
        "/admin/tickets/ticket/",
        "/admin/axes/accessattempt/",
    ]


def test_pages_and_admin_load_with_no_policy_violation(live_url, desk):
    ARTIFACTS.mkdir(exist_ok=True)
    seen: dict[str, list[str]] = {}
    headers: dict[str, str] = {}
    cookie = session_cookie(desk["admin"], live_url)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(RECORD_VIOLATIONS)
        anonymous = context.new_page()
        anonymous.goto(f"{live_url}/login/")
        seen["/login/"] = anonymous.evaluate("() => window.__csp")
        context.add_cookies([cookie])
        page = context.new_page()
        for path in _paths(desk):
            response = page.goto(f"{live_url}{path}")
            assert response is not None
            assert response.status == 200, path
            headers[path] = response.headers.get("content-security-policy", "")
            page.wait_for_load_state("networkidle")
            seen[path] = page.evaluate("() => window.__csp")
        page.goto(f"{live_url}/admin/escalations/rule/{desk['rule'].pk}/change/")
        page.screenshot(path=str(ARTIFACTS / "admin-rule-form-csp.png"), full_page=True)
        # The rule form's script still runs under the policy (it hides other triggers' params).
        shown = page.evaluate(
            "() => [...document.querySelectorAll('fieldset.kd-kind-params')]"
            ".filter((f) => !f.hidden).map((f) => f.classList.contains("
            "'kd-kind-sentiment_negative'))"
        )
        # The tag form refuses what the API refuses, with the reason beside the field.
        page.goto(f"{live_url}/tickets/{desk['ticket'].pk}/")
        page.fill("#tags-form input[name=tags]", "vip, <script>alert(1)</script>")
        page.click("#tags-form [type=submit]")
        tag_error = page.locator("#tags-form").inner_text()
        page.screenshot(path=str(ARTIFACTS / "ticket-tag-form-refused.png"), full_page=True)
        tag_violations = page.evaluate("() => window.__csp")
        page.goto(f"{live_url}/admin/escalations/rule/add/")
        rows_before = page.locator("#id_conditions tbody tr").count()
        page.click("#id_conditions_add")
        rows_after = page.locator("#id_conditions tbody tr").count()
        count_after = page.input_value('input[name="conditions-TOTAL_FORMS"]')
        added_name = page.locator("#id_conditions tbody tr").last.locator("select").first
        last_row_field = added_name.get_attribute("name")
        browser.close()

    assert "'<script>alert(1)</script>' may hold only letters, digits" in tag_error
    assert tag_violations == []
    # The condition rows' "Add a row" (a static script now) still adds a numbered row.
    assert (rows_before, rows_after, count_after) == (3, 4, "4")
    assert last_row_field == "conditions-3-field"
    assert {path: found for path, found in seen.items() if found} == {}
    policies = {
        path: dict(d.strip().split(" ", 1) for d in v.split(";")) for path, v in headers.items()
    }
    assert {path: p["script-src"].split(" ")[0] for path, p in policies.items()} == dict.fromkeys(
        headers, "'self'"
    )
    assert {p["style-src"] for p in policies.values()} == {"'self'"}
    assert {p["frame-ancestors"] for p in policies.values()} == {"'none'"}
    assert all(shown)  # only the selected trigger's parameters are shown

"""A real Chromium: the header bar on a laptop and on a wide screen, as a lead sees it (the
longest set of links). On a laptop the links wrapped inside their box, two on a second line
beside the search box; now they take one row of their own, and a wide screen holds one row."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]

# Each link's top, the brand's and the search box's, in pixels.
HEADER_GEOMETRY = """() => {
  const top = el => Math.round(el.getBoundingClientRect().top);
  return {
    links: [...document.querySelectorAll('.mainnav a')].map(top),
    brand: top(document.querySelector('.topbar .brand')),
    search: top(document.querySelector('.header-search')),
    linkHeights: [...document.querySelectorAll('.mainnav a')].map(
      a => Math.round(a.getBoundingClientRect().height)),
  };
}"""


@pytest.mark.parametrize(
    ("width", "rows"),
    [(1280, "links under the bar"), (1366, "links under the bar"), (1600, "one row")],
)
def test_the_links_keep_one_line(live_url, transactional_db, lead, width, rows):
    cookie = session_cookie(lead, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/queues/mine/")
        geometry = page.evaluate(HEADER_GEOMETRY)
        page.screenshot(path=str(ARTIFACTS / f"header-{width}.png"))
        browser.close()

    links = geometry["links"]
    assert len(links) == 6  # a lead's: queues, escalated, reports, rules, notifications
    # Every link on one line, none broken inside.
    assert len(set(links)) == 1
    assert max(geometry["linkHeights"]) < 40
    if rows == "one row":
        assert abs(links[0] - geometry["brand"]) < 12
    else:
        assert links[0] > geometry["brand"] + 20
        assert abs(geometry["search"] - geometry["brand"]) < 12

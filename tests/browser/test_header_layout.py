"""A real Chromium: the header bar on a laptop and on a wide screen, as a lead with a long name
sees it (the longest set of links). The links wrapped inside their box, the last ones on a
second line beside the search box; now they take one row of their own at every width."""

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


@pytest.mark.parametrize("width", [1280, 1366, 1600, 1920])
def test_the_links_keep_one_line(live_url, transactional_db, lead, width):
    lead.name = "Maximiliane-Josephine Oberhollenzer-Wittgenstein"
    lead.save(update_fields=["name"])
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
    # The links' row is under the brand, the search box beside the brand.
    assert links[0] > geometry["brand"] + 20
    assert abs(geometry["search"] - geometry["brand"]) < 12

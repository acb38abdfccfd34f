"""The web page in a real browser: Debian's chromium driven by Playwright (headless).

Signs in with a reviewer's key, screens a name, reads the explanation and restrictions,
opens the party page, marks the hit a false positive with a reason in the review queue, and
saves a screenshot (in the test's tmp folder, or ENTITYSCREEN_SCREENSHOTS if set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.api.conftest import Server

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def test_search_and_review_in_a_browser(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(server.url + "/ui")
            page.fill("#key", server.keys["reviewer"])
            page.click("button[type=submit]")
            expect(page.locator("#q")).to_be_visible()

            page.fill("#q", "Hikvision <script>alert(1)</script>")
            page.click("form.search button")
            expect(page.locator("#q")).to_have_value("Hikvision <script>alert(1)</script>")
            assert dialogs == []  # the query is shown as text, never run

            page.fill("#q", "Hikvision")
            page.click("form.search button")
            first = page.locator("article.hit").first
            expect(first.locator(".badge.match")).to_have_text("MATCH")
            expect(first.locator("table.expl")).to_contain_text("hikvision")
            expect(first.locator("ul.listings")).to_contain_text("publicly traded securities")
            shot = tmp_path / "search.png"
            page.screenshot(path=str(shot), full_page=True)

            name = first.locator("h3 a").inner_text()
            first.locator("h3 a").click()
            expect(page.locator("h2")).to_have_text(name)
            expect(page.locator("table.history")).to_contain_text("listed")

            page.click("text=Review queue")
            row = page.locator("table.queue tr", has_text="HANGZHOU HIKVISION").filter(
                has=page.locator("form.decide")).first
            row_id = row.get_attribute("id")
            row.locator("select[name=decision]").select_option("false_positive")
            row.locator("input[name=reason]").fill("our supplier is a Hikvision reseller in "
                                                   "Poland, not the listed company")
            row.locator("button[type=submit]").click()
            expect(page.locator(f"#{row_id}")).to_have_count(0)
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        finally:
            browser.close()

    item_id = int(str(row_id).removeprefix("item-"))
    item = server.client("reviewer").get(f"/reviews/{item_id}").json()
    assert item["status"] == "false_positive" and item["decided_by"].endswith(":alice")
    assert "reseller in Poland" in item["reason"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("ENTITYSCREEN_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)

"""The workbench in a real browser: Debian's Chromium driven by Playwright, against a real
`tradescreen serve` on 127.0.0.1. One analyst's day, end to end, with a screenshot of every
page (tests/web/screenshots/, git-ignored) and every request the browser makes recorded: none
may leave the loopback address."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import HOSTILE, Keys, cli

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "screenshots"
EXAMPLE_TX = REPO / "examples" / "review_red_flags_turkey.json"


class Visit:
    """A signed-in browser context that records requests, dialogs and console errors."""

    def __init__(self, browser: Any, base: str, name: str) -> None:
        self.context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error"
                     else None)
        self.name = name

    def sign_in(self, key: str) -> None:
        page = self.page
        page.goto("/ui/")
        assert "/ui/login" in page.url
        # Keyboard only: the key field takes focus (autofocus, applied once the page has
        # rendered, which may be after `goto` returns); Enter submits.
        page.wait_for_function("document.activeElement && document.activeElement.id === 'key'")
        page.keyboard.type(key)
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/")

    def shot(self, label: str, *, full: bool = True) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{label}.png"), full_page=full)

    def close(self) -> None:
        self.context.close()


def _kind(path: str) -> str:
    return re.sub(r"/(?!ui\b)[^/]+(?=/|$)", lambda m: "/N" if m.group(0)[1:] not in (
        "screen", "screen-tx", "media", "queue", "lists", "books", "audit", "cases", "rows", "diff",
        "report", "report.pdf", "docs", "export") else m.group(0), path)


def clicks_from_overview(context: Any, depth: int = 3) -> dict[str, int]:
    """Breadth-first over the links of each page (GET only): the fewest clicks to reach each
    kind of page (ids and names folded to N)."""
    seen: dict[str, int] = {}
    visited = {"/ui/"}
    frontier = ["/ui/"]
    for clicks in range(1, depth + 1):
        following = []
        for url in frontier:
            html = context.request.get(url).text()
            for href in re.findall(r'<a [^>]*href="([^"#]+)"', html):
                href = href.replace("&amp;", "&")
                path = urlsplit(href).path
                if not (path.startswith("/ui/") or path == "/docs") or href in visited:
                    continue
                visited.add(href)
                kind = _kind(path)
                if kind not in seen:
                    seen[kind] = clicks
                if not path.endswith((".pdf", "/export")) and path != "/docs":
                    following.append(href)
        frontier = following[:400]
    seen.pop("/ui/", None)
    seen.pop("/ui/audit/export", None)
    return seen


def _external(urls: list[str]) -> list[str]:
    return [u for u in urls if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u).hostname not in ("127.0.0.1", "localhost", "::1")]


@pytest.fixture()
def visits(browser: Any, web_server: str) -> Any:
    opened: list[Visit] = []

    def open_visit(name: str) -> Visit:
        visit = Visit(browser, web_server, name)
        opened.append(visit)
        return visit

    yield open_visit
    for visit in opened:
        assert not _external(visit.requests), (visit.name, _external(visit.requests))
        assert not visit.dialogs, (visit.name, visit.dialogs)  # no script ran from content
        csp = [m for m in visit.console if "Content Security Policy" in m]
        assert not csp, (visit.name, csp)  # nothing of ours needed an exception
        visit.close()


def test_analyst_day_in_chromium(visits: Any, web_keys: Keys, web_home: Path,
                                 data_dir: Path, tmp_path: Path) -> None:
    # A customer book with a listed bank, a harmless company and the hostile listed name.
    book = tmp_path / "customers.csv"
    book.write_text("id,name,schema,country\nC-1,Bank Melli Iran,Company,ir\n"
                    "C-2,Acme Widgets GmbH,Company,de\n"
                    f"C-3,\"{HOSTILE} Trading Company\",Company,ir\n")
    cli(web_home, "book", "import", "customers", str(book))
    cli(web_home, "book", "rescreen", "customers")

    alice = visits("alice")
    page = alice.page
    page.goto("/ui/login")
    alice.shot("01-sign-in")
    alice.sign_in(web_keys.alice)
    assert page.locator("h1").inner_text() == "Overview"
    alice.shot("02-overview")

    # Screen a party: the explanation is drawn, one bar per piece of evidence.
    page.get_by_role("link", name="Screen a party").click()
    page.fill("#name", "Bank Melli Iran")
    page.select_option("#schema", "Company")
    page.get_by_role("button", name="Screen").click()
    first = page.locator("article.result").first
    first.wait_for()
    assert page.locator("table.explain").first.is_visible()
    assert page.locator("table.explain svg.bar rect").count() >= 2
    assert "us_ofac_sdn" in first.inner_text()
    alice.shot("03-screen-party")
    alert_link = first.locator("a", has_text="alert #")
    assert alert_link.count() == 1, "a match opens an alert"

    # Screen a transaction from examples/, uploaded as a file.
    page.get_by_role("link", name="Screen a transaction").click()
    page.set_input_files("#file", str(EXAMPLE_TX))
    page.get_by_role("button", name="Screen transaction").click()
    decision = page.locator("#tx-decision")
    decision.wait_for()
    assert decision.inner_text() == "review"
    cites = page.locator(".cite a[href^='https://']")
    assert cites.count() >= 1, "reasons cite their sources as links"
    alice.shot("04-screen-transaction")

    # The queue, then the alert: decide as alice. Assigning works from the keyboard.
    page.get_by_role("link", name="Alert queue").click()
    page.locator("table.queue").wait_for()
    alice.shot("05-queue")
    page.locator("table.queue button", has_text="Assign to me").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table.queue td", has_text="alice").count() == 1
    page.goto("/ui/screen")
    page.fill("#name", "Bank Melli Iran")
    page.select_option("#schema", "Company")
    page.get_by_role("button", name="Screen").click()
    page.locator("article.result a", has_text="alert #").first.click()
    case_url = page.url
    alert_id = int(re.search(r"/cases/(\d+)", case_url).group(1))  # type: ignore[union-attr]
    assert page.locator(".sides .card").count() == 2  # party and listed entry side by side
    alice.shot("06-case-open")

    # A forged form (wrong CSRF token) is refused and changes nothing.
    page.evaluate("document.querySelector('#decide-form [name=csrf_token]').value = 'forged'")
    page.check("input[name=decision][value=true_match]")
    page.fill("#reason", "forged")
    page.get_by_role("button", name="Record decision").click()
    assert "security token" in page.locator("main").inner_text()
    page.goto(case_url)
    assert page.locator("#case-status").inner_text() == "open"

    page.check("input[name=decision][value=true_match]")
    page.fill("#reason", "Same bank: name, country and SWIFT code agree")
    page.get_by_role("button", name="Record decision").click()
    assert page.locator("#case-status").inner_text() == "decided"
    assert "awaiting four-eyes approval" in page.locator("main").inner_text()
    # Approving one's own decision is refused by the server.
    page.get_by_role("button", name="Approve the decision").click()
    assert "four-eyes" in page.locator("main").inner_text()
    assert page.locator("h1").inner_text().startswith("Not allowed")
    alice.shot("07-own-approval-refused")

    # Bob approves.
    bob = visits("bob")
    bob.sign_in(web_keys.bob)
    bob.page.goto(case_url)
    bob.page.get_by_role("button", name="Approve the decision").click()
    assert bob.page.locator("#case-status").inner_text() == "final"
    assert "key:bob" in bob.page.locator("main").inner_text()
    bob.shot("08-case-approved")
    bob.page.goto(f"/ui/cases/{alert_id}/report")
    report = bob.page.locator("body").inner_text()
    assert "key:alice" in report and "key:bob" in report
    assert re.search(r"[0-9a-f]{64}", bob.page.locator("#record-hash").inner_text())
    bob.shot("09-case-report")
    pdf = bob.context.request.get(f"/ui/cases/{alert_id}/report.pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    assert len(pdf.body()) > 5000

    # The second SDN snapshot: the list update page shows what changed, field by field.
    cli(web_home, "lists", "import", str(data_dir / "ofac" / "sdn_2024-05-03"))
    page.goto("/ui/")
    page.get_by_role("link", name="List updates").click()
    alice.shot("10-list-updates")
    page.locator("a", has_text="diff from").first.click()
    counts = page.locator("#diff-counts").inner_text()
    added, removed, changed = (int(n) for n in re.findall(r"(\d+) (?:added|removed|changed)",
                                                          counts))
    assert added > 0 and removed > 0 and changed > 0
    assert page.locator("table.changes td.new").count() >= 1
    alice.shot("11-list-diff", full=False)
    page.locator("#changed").scroll_into_view_if_needed()
    alice.shot("11b-list-diff-changed", full=False)

    # Books: the last re-screen and a drill-down into one customer.
    page.get_by_role("link", name="Books").click()
    page.get_by_role("link", name="customers").click()
    assert "New at the last re-screen" in page.locator("main").inner_text()
    alice.shot("12-book")
    page.get_by_role("link", name="C-1").first.click()
    assert "Bank Melli Iran" in page.locator("main").inner_text()
    alice.shot("13-book-row")

    # The hostile listed name shows as text, runs nothing, loads nothing.
    page.goto("/ui/screen")
    page.fill("#name", f"{HOSTILE} Trading Company")
    page.get_by_role("button", name="Screen").click()
    page.locator("article.result").first.wait_for()
    assert HOSTILE in page.locator("article.result .caption").first.inner_text()
    assert page.locator("main img").count() == 0
    alice.shot("14-hostile-name")

    # Audit: verify the chain as the admin.
    ops = visits("ops")
    ops.sign_in(web_keys.ops)
    ops.page.get_by_role("link", name="Audit").click()
    ops.page.get_by_role("button", name="Verify the chain now").click()
    assert ops.page.locator("#chain-verdict").inner_text().startswith("chain valid")
    ops.shot("15-audit")
    ops.page.goto("/docs")
    ops.page.locator(".swagger-ui .information-container").wait_for(timeout=30_000)
    ops.shot("16-api-docs")

    # Every page is within three clicks of the overview (following the links on each page).
    assert clicks_from_overview(ops.context) == {
        "/ui/screen": 1, "/ui/screen-tx": 1, "/ui/media": 1, "/ui/queue": 1, "/ui/lists": 1,
        "/ui/books": 1,
        "/ui/audit": 1, "/docs": 1, "/ui/lists/diff": 1, "/ui/books/N": 1, "/ui/cases/N": 2,
        "/ui/books/N/rows/N": 2, "/ui/cases/N/report": 3, "/ui/cases/N/report.pdf": 3,
    }

    # A session without the scope is refused by the server, whatever the page offers.
    viewer = visits("viewer")
    viewer.sign_in(web_keys.viewer)
    assert viewer.page.get_by_role("link", name="Screen a party").count() == 0
    viewer.page.goto("/ui/screen")
    assert "lacks the 'screen' scope" in viewer.page.locator("main").inner_text()
    viewer.shot("17-scope-refused")

    # Sign out ends the session.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/ui/queue")
    assert "/ui/login" in page.url

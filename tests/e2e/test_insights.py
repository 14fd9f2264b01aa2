"""The insights page in real Chromium against the real stack, with the scripted week of
scripts/insights_demo.py: an editor logs in at the console, follows its link, picks the week,
sees the four charts drawn and the tables filled, downloads a table as CSV, and sees an empty
week said to be empty. The page is saved as var/insights.png."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from devstack.stack import Stack
from knowledge.settings import PROJECT_ROOT
from tests.e2e.browser import TIMEOUT_MS

pytestmark = pytest.mark.e2e
NAME = "e2e-redaktør"
SCREENSHOT = PROJECT_ROOT / "var" / "insights.png"
# Whether a canvas holds any drawn pixel (a chart that failed leaves it transparent).
DRAWN = """canvas => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data.some(v => v > 0)"""


def _scripted_week(stack: Stack) -> str:
    """Write the demo week into the stack's database and create the editor; the editor's password."""
    done = subprocess.run(
        [sys.executable, "scripts/insights_demo.py", "--database-url", stack.env["DATABASE_URL"], "--editor", NAME],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_editor_sees_the_charts_and_tables_of_a_scripted_week_and_downloads_a_csv(
    browser: Browser, stack: Stack
) -> None:
    password = _scripted_week(stack)
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(str(stack.api.base_url) + "/advisor")
    login = page.locator("#login")
    login.get_by_label("Navn").fill(NAME)
    login.get_by_label("Passord").fill(password)
    login.get_by_role("button", name="Logg inn").click()
    expect(login).to_be_hidden(timeout=TIMEOUT_MS)
    page.get_by_role("link", name="Innsikt").click()

    expect(page.get_by_role("heading", name="Innsikt for innholdsansvarlige")).to_be_visible()
    eight_weeks = (today - timedelta(days=today.weekday(), weeks=7)).isoformat()
    expect(page.get_by_label("Fra og med")).to_have_value(eight_weeks, timeout=TIMEOUT_MS)  # the default period
    page.get_by_label("Fra og med").fill((today - timedelta(days=6)).isoformat())
    page.get_by_label("Til og med").fill(today.isoformat())
    page.get_by_role("button", name="Vis perioden").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Viser {today - timedelta(days=6)} til {today}.", timeout=TIMEOUT_MS
    )

    charts = page.locator("figure[data-rendered='chart'] canvas")
    expect(charts).to_have_count(4, timeout=TIMEOUT_MS)
    assert all(canvas.evaluate(DRAWN) for canvas in charts.all())
    expect(page.locator("figure").first.get_by_role("img")).to_have_accessible_name(
        "Spørsmål besvart og avvist, per uke for nett og Teams. Tallene står i tabellen under figuren."
    )
    expect(page.locator("#weeks tbody tr").filter(has_text="Teams").first).to_be_visible()
    unanswered = page.locator("#unanswered tbody tr")
    expect(unanswered.filter(has_text="BPA")).to_have_count(1)  # three wordings, one group
    expect(page.locator("#disliked tbody tr").first).to_contain_text("ROP-retningslinjen")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned CSV: ubesvarte spørsmål").click()
    assert download.value.suggested_filename == f"innsikt-ubesvarte-{today - timedelta(days=6)}-{today}.csv"
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == ["Antall", "Spørsmål", "Andre formuleringer"]
    assert any("BPA" in row[1] and int(row[0]) >= 2 for row in rows[1:])

    page.get_by_label("Fra og med").fill("2020-01-06")  # a week long before anything was stored
    page.get_by_label("Til og med").fill("2020-01-12")
    page.get_by_role("button", name="Vis perioden").click()
    expect(page.get_by_text("Ingen data i perioden.", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("canvas")).to_have_count(0)
    context.close()

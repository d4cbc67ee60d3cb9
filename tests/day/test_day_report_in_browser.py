"""The day's report opens in a real headless Chromium: every image loads, nothing is logged as an
error, and the headline numbers on the page are those of results.json."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from offchain.app.day.report import HEADLINE, headline_text

pytestmark = pytest.mark.timeout(600)

SCRIPT = Path(__file__).with_name("browser_check.cjs")


def test_report_page_loads_every_image_without_errors_and_shows_results_json_headline(short_day):
    results = json.loads((short_day["out"] / "results.json").read_text())
    done = subprocess.run(
        ["node", str(SCRIPT), str(short_day["page"])], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    page = json.loads(done.stdout.strip().splitlines()[-1])
    assert page["title"] == "GridLedger trading day"
    assert len(page["images"]) == 5
    for image in page["images"]:
        assert image["complete"] and image["width"] > 0, image
    assert page["consoleErrors"] == [] and page["pageErrors"] == [] and page["failed"] == []
    for key in HEADLINE:
        assert page["headline"][key] == headline_text(key, results["headline"][key]), key
        assert float(page["headline"][key]) == pytest.approx(results["headline"][key])
    assert page["headline"]["reconciled"] == "all match"

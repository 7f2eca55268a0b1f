"""Reports: JUnit XML a CI system reads, and an HTML page that shows the failed checks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from feed.conform.cases import select
from feed.conform.contract import Shown, compare, expected_at
from feed.conform.report import html_report, junit_xml, summary_line
from feed.conform.results import CaseResult, CheckResult
from feed.io import load_scenario

TOKYO = load_scenario("tokyo-2025-m1500-final").events


def _results() -> list[CaseResult]:
    (passed_case, failed_case, broken_case) = select(ids=["1.1", "2.4", "5.1"])
    expected = expected_at(TOKYO, 231, epoch=1)
    swapped = list(expected.standings)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    shown = Shown(
        id=1, seq=231, epoch=1, status="official", standings=swapped, medals=expected.medals
    )
    failed_check = CheckResult(
        "at the end",
        expected,
        shown,
        compare(expected, shown),
        ["seq  224  photo_finish_resolved   <- fault: seq 224 drop"],
    )
    return [
        CaseResult(passed_case, [CheckResult("at the end", expected, shown, [])], seconds=1.0),
        CaseResult(failed_case, [failed_check], seconds=2.0, stderr=["client: a log line"]),
        CaseResult(broken_case, [], error="the client exited with status 1", seconds=0.5),
    ]


def test_the_summary_names_the_failed_cases() -> None:
    """One line: counts, the ids that failed, the time."""
    assert summary_line(_results()) == "3 cases: 1 passed, 2 failed (2.4, 5.1) in 3.5 s"


def test_junit_has_a_suite_per_group_and_a_failure_or_error_per_bad_case() -> None:
    """CI systems read tests, failures and errors from the attributes, the text from the body."""
    root = ET.fromstring(junit_xml(_results()))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {
        "1 basic replay",
        "2 results and corrections",
        "5 resume after a disconnect",
    }
    failure = suites["2 results and corrections"].find("testcase/failure")
    assert failure is not None and "Isaac Nader" in (failure.text or "")
    error = suites["5 resume after a disconnect"].find("testcase/error")
    assert error is not None and error.get("message") == "the client exited with status 1"
    assert suites["1 basic replay"].find("testcase/failure") is None


def test_the_html_page_shows_expected_and_shown_tables_with_names() -> None:
    """Self-contained (no outside URL), with each failed check's rows side by side."""
    page = html_report(_results(), command="node client.mjs <x>")
    assert "node client.mjs &lt;x&gt;" in page
    assert 'id="case-2.4"' in page and 'id="case-1.1"' not in page
    assert page.count('class="differs"') == 2  # the two swapped rows
    assert "Isaac Nader" in page and "photo_finish_resolved" in page
    assert "client: a log line" in page
    assert "http://" not in page and "https://" not in page

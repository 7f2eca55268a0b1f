"""Conformance reports: JUnit XML for CI systems, and one self-contained HTML page.

Both are pure functions of the results. The HTML page shows every case, and for each
failed check the expected and the shown result tables side by side (with names and
places, not only bibs), the differences, the log around the point checked with the
faults planned there, and the last lines the client wrote to its stderr.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import zip_longest

from feed.conform.cases import GROUPS
from feed.conform.contract import ShownRow
from feed.conform.results import CaseResult, CheckResult

__all__ = ["failure_text", "html_report", "junit_xml", "summary_line"]


def summary_line(results: Sequence[CaseResult]) -> str:
    """``32 cases: 30 passed, 2 failed (5.1, 6.3) in 48.2 s``."""
    failed = [r.case.id for r in results if not r.passed]
    seconds = sum(r.seconds for r in results)
    line = f"{len(results)} cases: {len(results) - len(failed)} passed, {len(failed)} failed"
    if failed:
        line += f" ({', '.join(failed)})"
    return f"{line} in {seconds:.1f} s"


def failure_text(result: CaseResult) -> str:
    """What went wrong in a case, as plain text (the terminal and JUnit show it)."""
    lines = [f"{result.case.id} {result.case.title}", f"  checks: {result.case.checks}"]
    lines.append(f"  a client gets it wrong when: {result.case.why}")
    if result.error is not None:
        lines.append(f"  error: {result.error}")
    for check in result.checks:
        if check.passed:
            continue
        lines.append(f"  check {check.label!r} (seq {check.expected.seq}):")
        lines += [f"    {problem}" for problem in check.problems]
        if check.context:
            lines.append("    the log there:")
            lines += [f"      {line}" for line in check.context]
    if result.stderr and not result.passed:
        lines.append("  client stderr (last lines):")
        lines += [f"    {line}" for line in result.stderr[-10:]]
    return "\n".join(lines)


def junit_xml(results: Sequence[CaseResult], *, name: str = "racefeed conform") -> str:
    """JUnit XML: a test suite per group, a test case per case, a failure with the text."""
    root = ET.Element("testsuites", name=name)
    for group, group_name in GROUPS.items():
        members = [r for r in results if r.case.group == group]
        if not members:
            continue
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{group} {group_name}",
            tests=str(len(members)),
            failures=str(sum(1 for r in members if r.error is None and not r.passed)),
            errors=str(sum(1 for r in members if r.error is not None)),
            time=f"{sum(r.seconds for r in members):.3f}",
        )
        for result in members:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"racefeed.conform.group{group}",
                name=f"{result.case.id} {result.case.title}",
                time=f"{result.seconds:.3f}",
            )
            if result.passed:
                continue
            tag = "error" if result.error is not None else "failure"
            first = result.error or next(
                (c.problems[0] for c in result.checks if c.problems), "failed"
            )
            failure = ET.SubElement(case, tag, message=first)
            failure.text = failure_text(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def html_report(results: Sequence[CaseResult], *, command: str) -> str:
    """One HTML page, with no outside resource: open it from a CI artifact as it is."""
    rows = "\n".join(_case_row(result) for result in results)
    failed = [result for result in results if not result.passed]
    details = "\n".join(_case_details(result) for result in failed)
    verdict = "every case passed" if not failed else f"{len(failed)} failed"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>racefeed conform: {_e(verdict)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>racefeed conformance report</h1>
<p class="command">client: <code>{_e(command)}</code></p>
<p class="summary {"bad" if failed else "good"}">{_e(summary_line(results))}</p>
<table class="cases"><thead><tr><th>case</th><th>group</th><th>title</th><th>result</th>
<th>time</th></tr></thead><tbody>
{rows}
</tbody></table>
{details}
</body></html>
"""


def _case_row(result: CaseResult) -> str:
    case = result.case
    verdict = "pass" if result.passed else ("error" if result.error else "fail")
    link = f'<a href="#case-{_e(case.id)}">{_e(case.id)}</a>' if not result.passed else case.id
    return (
        f'<tr class="{verdict}"><td>{link}</td><td>{_e(GROUPS[case.group])}</td>'
        f"<td>{_e(case.title)}</td><td>{verdict}</td><td>{result.seconds:.1f} s</td></tr>"
    )


def _case_details(result: CaseResult) -> str:
    case = result.case
    parts = [
        f'<section id="case-{_e(case.id)}"><h2>{_e(case.id)} {_e(case.title)}</h2>',
        f"<p><b>checks:</b> {_e(case.checks)}</p>",
        f"<p><b>a client gets it wrong when:</b> {_e(case.why)}</p>",
        f"<p><b>scenario:</b> {_e(case.scenario)}, speed {_e(str(case.speed))}"
        + (f", faults <code>{_e(case.faults)}</code> seed {case.fault_seed}" if case.faults else "")
        + "</p>",
    ]
    if result.error is not None:
        parts.append(f'<p class="bad"><b>error:</b> {_e(result.error)}</p>')
    parts += [_check_details(check) for check in result.checks if not check.passed]
    if result.stderr:
        parts.append("<h3>client stderr (last lines)</h3><pre>")
        parts.append(_e("\n".join(result.stderr)) + "</pre>")
    parts.append("</section>")
    return "\n".join(parts)


def _check_details(check: CheckResult) -> str:
    problems = "".join(f"<li>{_e(p)}</li>" for p in check.problems)
    shown = check.shown
    names = {row.bib: row.name for row in check.expected.standings}
    table_rows = []
    for want, got in zip_longest(check.expected.standings, shown.standings if shown else []):
        same = want is not None and got is not None and _cells(want, names) == _cells(got, names)
        cells = _cells(want, names) + _cells(got, names)
        tds = "".join(f"<td>{_e(c)}</td>" for c in cells)
        table_rows.append(f'<tr class="{"same" if same else "differs"}">{tds}</tr>')
    header = "<th>place</th><th>bib</th><th>athlete</th><th>result</th>"
    state = (
        f"expected seq {check.expected.seq} epoch {check.expected.epoch}, "
        f"status {check.expected.status}; shown seq {shown.seq} epoch {shown.epoch}, "
        f"status {shown.status}"
        if shown
        else "nothing shown"
    )
    context = _e("\n".join(check.context))
    return f"""<h3>check: {_e(check.label)}</h3>
<p>{_e(state)}</p>
<ul class="problems">{problems}</ul>
<table class="diff"><thead><tr><th colspan="4">expected</th><th colspan="4">shown</th></tr>
<tr>{header}{header}</tr></thead><tbody>{"".join(table_rows)}</tbody></table>
<h4>the log around it, with the faults planned there</h4><pre>{context}</pre>"""


def _cells(row: ShownRow | None, names: dict[int, str]) -> list[str]:
    if row is None:
        return ["", "", "", ""]
    place = "" if row.place is None else str(row.place)
    return [place, str(row.bib), names.get(row.bib) or row.name, row.mark or row.time or "-"]


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;
color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-top:1px solid #ccd;padding-top:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;text-align:left;
border-bottom:1px solid #e3e6ea}
tr.fail td,tr.error td,tr.differs td{background:#fdecea}tr.pass td:nth-child(4){color:#17692e}
.summary.good{color:#17692e;font-weight:600}.summary.bad,.bad{color:#a4161a;font-weight:600}
pre{background:#f5f6f8;padding:.6rem;overflow-x:auto}code{background:#f5f6f8}
"""

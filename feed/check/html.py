"""The HTML page of a report: the text with each claim highlighted, verdict and evidence on hover.

One self-contained page (inline CSS, no script, nothing fetched): the text as
written, each claim's words marked green (supported), red (contradicted) or grey
(not checkable); hovering or focusing a mark shows every claim on those words,
what the feed says and the seq that shows it. Below, the claims as a table.
Where claims overlap, the words take the colour of the gravest verdict.
"""

from __future__ import annotations

from itertools import pairwise

from feed.check.model import Judged, Report

__all__ = ["render_html"]

_RANK = {"contradicted": 2, "supported": 1, "not_checkable": 0}
_LABEL = {
    "supported": "supported",
    "contradicted": "contradicted",
    "not_checkable": "not checkable",
}
_STYLE = """
body { font: 16px/1.6 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.3rem; } .summary span { margin-right: 1.2rem; font-weight: 600; }
.text { white-space: pre-wrap; border: 1px solid #ddd; border-radius: 6px; padding: 1rem 1.2rem; }
mark { position: relative; border-radius: 3px; padding: 0 1px; cursor: help; }
mark.supported { background: #d6f5dd; } mark.contradicted { background: #ffd4d1; }
mark.not_checkable { background: #ececec; }
mark .tip { display: none; position: absolute; left: 0; top: 1.6em; z-index: 2; width: 26rem;
            background: #fff; border: 1px solid #999; border-radius: 6px; padding: .5rem .7rem;
            font-size: .85rem; line-height: 1.4; white-space: normal; box-shadow: 0 2px 8px #0003; }
mark:hover .tip, mark:focus .tip { display: block; }
.tip b.supported, td.supported { color: #116b2a; }
.tip b.contradicted, td.contradicted { color: #b3140b; }
.tip b.not_checkable, td.not_checkable { color: #666; }
table { border-collapse: collapse; margin-top: 1.5rem; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
"""


def render_html(report: Report, *, title: str = "racefeed check") -> str:
    """The page for ``report`` (a complete HTML document)."""
    text = report.text
    cuts = sorted({0, len(text)} | {c for j in report.claims for c in (j.claim.start, j.claim.end)})
    body: list[str] = []
    for start, end in pairwise(cuts):
        piece = _escape(text[start:end])
        covering = [j for j in report.claims if j.claim.start <= start and end <= j.claim.end]
        if not covering or not text[start:end].strip():
            body.append(piece)
            continue
        worst = max(covering, key=lambda j: _RANK[j.verdict.verdict]).verdict.verdict
        tip = "".join(_tip(j) for j in covering)
        body.append(
            f'<mark class="{worst}" tabindex="0">{piece}<span class="tip">{tip}</span></mark>'
        )
    rows = "".join(_row(index, j) for index, j in enumerate(report.claims, 1))
    source = f" against {_escape(report.source)}" if report.source else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{_escape(title)}{source}, as of seq {report.final_seq}</h1>\n"
        '<p class="summary">'
        f'<span class="supported">{report.supported} supported</span>'
        f'<span class="contradicted">{report.contradicted} contradicted</span>'
        f'<span class="not_checkable">{report.not_checkable} not checkable</span></p>\n'
        f'<div class="text">{"".join(body)}</div>\n'
        "<table>\n<thead><tr><th>#</th><th>verdict</th><th>claim</th><th>kind</th>"
        "<th>the feed says</th><th>seq</th><th>judged at</th></tr></thead>\n"
        f"<tbody>\n{rows}</tbody>\n</table>\n</body>\n</html>\n"
    )


def _tip(judged: Judged) -> str:
    verdict = judged.verdict
    seq = f" (seq {verdict.evidence_seq})" if verdict.evidence_seq is not None else ""
    return (
        f'<b class="{verdict.verdict}">{_LABEL[verdict.verdict]}</b> '
        f"<i>{_escape(judged.claim.kind)}</i>: {_escape(verdict.feed_says)}{seq}"
        f"<br><small>judged at {_escape(verdict.judged_at)}</small><br>"
    )


def _row(index: int, judged: Judged) -> str:
    verdict = judged.verdict
    seq = "" if verdict.evidence_seq is None else str(verdict.evidence_seq)
    cells = (
        str(index),
        f'<td class="{verdict.verdict}">{_LABEL[verdict.verdict]}</td>',
        _escape(judged.claim.text),
        _escape(judged.claim.kind),
        _escape(verdict.feed_says),
        seq,
        _escape(verdict.judged_at),
    )
    return (
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells) + "</tr>\n"
    )


def _escape(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )

"""Stacked bar charts as plain SVG, drawn on the server.

The site's CSP forbids inline style and script: colours are SVG presentation attributes (fill=),
and each bar's figure is in a <title> (a tooltip) and in the table printed under the chart.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cases.models import Dossier
from evidence.models import EvidenceFile

COLOURS = {
    "dossiers": {
        Dossier.Status.OPENED: "#9aa5b8",
        Dossier.Status.UNDER_INVESTIGATION: "#1a5fb4",
        Dossier.Status.POSITIVE: "#b3261e",
        Dossier.Status.NEGATIVE: "#2e7d32",
        Dossier.Status.SENT_TO_COURT: "#6a3d9a",
        Dossier.Status.CLOSED: "#3d4454",
    },
    "files": {
        EvidenceFile.Triage.KNOWN: "#b3261e",
        EvidenceFile.Triage.KNOWN_GOOD: "#2e7d32",
        EvidenceFile.Triage.NEAR: "#c64600",
        EvidenceFile.Triage.POSSIBLE: "#e0a100",
        EvidenceFile.Triage.NEW_IMAGE: "#1a5fb4",
        EvidenceFile.Triage.NEW_VIDEO: "#613583",
        EvidenceFile.Triage.OTHER: "#5e6a7d",
        EvidenceFile.Triage.ERROR: "#a15c00",
        EvidenceFile.Triage.PENDING: "#9aa5b8",
    },
}
LABELS = {"dossiers": dict(Dossier.Status.choices), "files": dict(EvidenceFile.Triage.choices)}


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at least ``value`` (the top of the axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def stacked_bars_svg(rows: list[dict], kind: str, *, width: int = 720, height: int = 260) -> str:
    """One bar per month, stacked by key; ``rows`` as from reports.selectors._pivot. Empty string if no row."""
    if not rows:
        return ""
    colours, labels = COLOURS[kind], LABELS[kind]
    left, right, top, bottom, legend_height = 48, 12, 12, 40, 22
    plot_width, plot_height = width - left - right, height - top - bottom - legend_height
    top_value = _nice_ceiling(max(max(row["total"] for row in rows), 1))
    slot = plot_width / len(rows)
    bar = max(min(slot * 0.7, 60), 2)
    title = _("Dossiers opened per month, by current status") if kind == "dossiers" else _("Files processed per month")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart" data-chart="{kind}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, top_value // 2, top_value) if top_value > 1 else (0, 1):
        y = top + plot_height - plot_height * tick / top_value
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dde5"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6475">{tick}</text>'
        )
    for index, row in enumerate(rows):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_height
        for key, count in row["counts"].items():
            if not count:
                continue
            bar_height = plot_height * count / top_value
            y -= bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{bar_height:.1f}" fill="{colours[key]}" '
                f'data-key="{key}" data-count="{count}"><title>{row["month"]:%Y-%m} · {escape(labels[key])}: '
                f"{count}</title></rect>"
            )
        if len(rows) <= 12 or index % max(len(rows) // 12, 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_height + 16}" text-anchor="middle" font-size="11" '
                f'fill="#1d2330">{row["month"]:%Y-%m}</text>'
            )
    x = left
    legend_y = height - 8
    for key, colour in colours.items():
        label = escape(labels[key])
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" font-size="11" fill="#1d2330">{label}</text>')
        x += 22 + 7 * len(str(labels[key]))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped above)

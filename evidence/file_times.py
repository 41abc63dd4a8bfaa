"""A dossier's files on a calendar: how many were created, modified or accessed (the file systems'
times) or taken (the capture time their tags give) on each day, for the timeline's histogram.

Counts only: a prosecutor, who sees no file, may read them too. Filtered by exhibit and status.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceFile, ImageMetadata

KINDS = {
    "modified": _("Modified (file system)"),
    "created": _("Created (file system)"),
    "accessed": _("Accessed (file system)"),
    "taken": _("Taken (camera's clock)"),
}
MAX_DAYS = 400  # past this span, one bar a month


@dataclass
class Bar:
    start: datetime.date
    count: int
    share: float  # of the highest bar, 0..1

    @property
    def height(self) -> float:
        """On a chart 100 high (a bar of one file still shows)."""
        return round(max(self.share * 100, 1.5 if self.count else 0), 1)

    @property
    def top(self) -> float:
        return round(100 - self.height, 1)


def file_time_histogram(dossier, *, kind: str = "modified", exhibit=None, triage: str = "") -> dict:
    """Bars (one a day, or a month over MAX_DAYS days, empty ones included) of the dossier's files by
    ``kind`` of time; ``{"bars": [], ...}`` when no file has one."""
    if kind == "taken":
        rows = ImageMetadata.objects.filter(file__exhibit__dossier=dossier, taken_day__isnull=False)
        prefix, field = "file__", "taken_day"
    else:
        rows = EvidenceFile.objects.filter(exhibit__dossier=dossier, **{f"{kind}_time__isnull": False})
        prefix, field = "", f"{kind}_time"
    if exhibit is not None:
        rows = rows.filter(**{f"{prefix}exhibit": exhibit})
    if triage:
        rows = rows.filter(**{f"{prefix}triage": triage})
    days = dict(_counted(rows, field, TruncDate if kind != "taken" else None))
    if not days:
        return {"bars": [], "unit": "day", "total": 0}
    first, last = min(days), max(days)
    if (last - first).days <= MAX_DAYS:
        counts = [(first + datetime.timedelta(days=n), 0) for n in range((last - first).days + 1)]
        counts = [(day, days.get(day, 0)) for day, _ in counts]
        unit = "day"
    else:
        months: dict[datetime.date, int] = {}
        for day, count in days.items():
            month = day.replace(day=1)
            months[month] = months.get(month, 0) + count
        counts = [(month, months.get(month, 0)) for month in _months(min(months), max(months))]
        unit = "month"
    top = max(count for _, count in counts)
    return {
        "bars": [Bar(start, count, count / top) for start, count in counts],
        "unit": unit,
        "total": sum(days.values()),
        "first": first,
        "last": last,
    }


def _counted(rows, field: str, truncate):
    if truncate is None:  # already a date
        return rows.order_by().values_list(field).annotate(n=Count("pk"))
    return rows.order_by().annotate(day=truncate(field)).values_list("day").annotate(n=Count("pk"))


def _months(first: datetime.date, last: datetime.date):
    month = first
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)

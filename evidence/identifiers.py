"""A dossier's identifiers (``evidence.models.FileIdentifier``): grouped by kind and value, with
their files and occurrences per exhibit, where else the user may see the same value, and the
files that hold one. For a user who may see the dossier's files (``cases.selectors.can_see_files``):
the views get the dossier from ``dossier_for(files=True)``.
"""

import hashlib
import io
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from audit.services import audit_record
from cases.selectors import dossiers_with_files_visible_to
from config.spreadsheets import SpreadsheetWriter
from evidence.models import FileIdentifier

KINDS = FileIdentifier.Kind


@dataclass
class Found:
    """One identifier of a dossier."""

    kind: str
    value: str
    files: int = 0
    occurrences: int = 0
    by_exhibit: dict[str, int] = field(default_factory=dict)  # seal number -> files
    elsewhere: list = field(default_factory=list)  # (dossier, files) the user may also see

    @property
    def kind_label(self) -> str:
        return KINDS(self.kind).label


def _rows(dossier, *, kind: str = "", contains: str = ""):
    rows = FileIdentifier.objects.filter(exhibit__dossier=dossier)
    if kind in KINDS.values:
        rows = rows.filter(kind=kind)
    if contains:
        # PostgreSQL answers each form from the trigrams of migration 0024.
        match = Q()
        for form in contains_forms(contains):
            match |= Q(value__icontains=form)
        rows = rows.filter(match)
    return rows


def contains_forms(text: str) -> set[str]:
    """What a part of an identifier typed in the search box may be as it is kept: as typed, without
    its blanks ("BE71 0961"), and a part of a phone number in digits, without its trunk or
    international prefix ("0470 12" is in +32470123456)."""
    text = text.strip()
    forms = {text, re.sub(r"\s", "", text)}
    if re.fullmatch(r"[+\d\s()./\-]+", text):
        digits = re.sub(r"\D", "", text)
        forms |= {digits, re.sub(r"^(?:00|0)", "", digits)}
    return {form for form in forms if form}


def dossier_identifiers(dossier, *, kind: str = "", contains: str = ""):
    """The dossier's identifiers as rows ``{kind, value, files, occurrences}``, grouped by kind (in
    the order of ``FileIdentifier.Kind``), most files first: a query a page can slice."""
    order = Case(
        *(When(kind=kind, then=Value(position)) for position, kind in enumerate(KINDS.values)),
        output_field=IntegerField(),
    )
    return (
        _rows(dossier, kind=kind, contains=contains)
        .values("kind", "value")
        .annotate(files=Count("file", distinct=True), occurrences=Sum("count"), position=order)
        .order_by("position", "-files", "value")
    )


def identifier_kinds(dossier) -> list[tuple[str, str, int]]:
    """(kind, label, identifiers) for the kinds the dossier holds: the tab's filter."""
    counts = dict(
        FileIdentifier.objects.filter(exhibit__dossier=dossier)
        .values("kind")
        .annotate(values=Count("value", distinct=True))
        .values_list("kind", "values")
    )
    return [(kind, label, counts[kind]) for kind, label in KINDS.choices if kind in counts]


def found_details(dossier, rows) -> list[Found]:
    """``rows`` (a page of ``dossier_identifiers``) with their files per exhibit."""
    found = {
        (row["kind"], row["value"]): Found(row["kind"], row["value"], row["files"], row["occurrences"]) for row in rows
    }
    if not found:
        return []
    per_exhibit = (
        FileIdentifier.objects.filter(exhibit__dossier=dossier, value__in={value for _, value in found})
        .values("kind", "value", "exhibit__seal_number")
        .annotate(files=Count("file", distinct=True))
        .order_by("exhibit__seal_number")
    )
    for row in per_exhibit:
        item = found.get((row["kind"], row["value"]))
        if item is not None:
            item.by_exhibit[row["exhibit__seal_number"]] = row["files"]
    return list(found.values())


def identifiers_elsewhere(user, dossier, found: list[Found]) -> None:
    """Fill each identifier's ``elsewhere``: the other dossiers whose files ``user`` may see that
    hold the same value. Dossiers the user may not see are never searched: nothing of them is
    shown, not even that they exist."""
    by_key = {(item.kind, item.value): item for item in found}
    if not by_key:
        return
    visible = dossiers_with_files_visible_to(user)
    rows = (
        FileIdentifier.objects.filter(value__in={value for _, value in by_key}, exhibit__dossier__in=visible)
        .exclude(exhibit__dossier=dossier)
        .values("kind", "value", "exhibit__dossier")
        .annotate(files=Count("file", distinct=True))
        .order_by("exhibit__dossier")
    )
    rows = [row for row in rows if (row["kind"], row["value"]) in by_key]
    dossiers = {d.pk: d for d in visible.filter(pk__in={row["exhibit__dossier"] for row in rows})}
    for row in rows:
        if row["exhibit__dossier"] in dossiers:
            by_key[row["kind"], row["value"]].elsewhere.append((dossiers[row["exhibit__dossier"]], row["files"]))


def identifier_files(files, *, kind: str, value: str):
    """``files`` narrowed to those holding this identifier."""
    return files.filter(Exists(FileIdentifier.objects.filter(file=OuterRef("pk"), kind=kind, value=value)))


def identifiers_export(*, dossier, kind: str = "", contains: str = "", by, ip: str | None = None) -> tuple[bytes, str]:
    """The tab as CSV (every row, not a page): kind, identifier, files, occurrences, files per
    exhibit; its file name. Audited with the rows and the SHA-256 of what was sent."""
    rows = found_details(dossier, list(dossier_identifiers(dossier, kind=kind, contains=contains)))
    stream = io.StringIO()
    writer = SpreadsheetWriter(stream)
    writer.writerow(["kind", "identifier", "files", "occurrences", "files per exhibit"])
    for item in rows:
        per_exhibit = "; ".join(f"{seal}: {count}" for seal, count in item.by_exhibit.items())
        writer.writerow([item.kind, item.value, item.files, item.occurrences, per_exhibit])
    content = stream.getvalue().encode()
    safe = "".join(c if c.isalnum() else "-" for c in dossier.notice_number)
    name = f"{safe}-identifiers-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    audit_record(
        actor=by,
        action="export.identifiers_csv",
        target=dossier,
        ip=ip,
        kind=kind,
        contains=contains[:200],
        rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=name,
    )
    return content, name

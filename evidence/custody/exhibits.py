"""Exhibits: registration, the one seal-number rule, and the bulk registration from a CSV."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Dossier, Search
from evidence.custody import bulk
from evidence.models import EXHIBIT_FIELDS, Exhibit

# Any field of EXHIBIT_FIELDS but the three every exhibit_register call names.
EXHIBIT_DETAILS = tuple(field for field in EXHIBIT_FIELDS if field not in ("kind", "seal_number", "description"))


def _check_same_dossier(dossier: Dossier, details: dict) -> None:
    for field in ("parent", "seized_from", "search"):
        related = details.get(field)
        if related is not None and related.dossier_id != dossier.pk:
            raise ValidationError(_("A parent exhibit, suspect or search must belong to the same dossier."))


def _seal_number_taken() -> str:
    return _("This dossier already has an exhibit with this seal number.")


def seal_number_check(*, dossier: Dossier, seal_number: str, exhibit: Exhibit | None = None) -> None:
    """The one rule for seal numbers: one exhibit per seal number within a dossier.

    ``exhibit`` is the exhibit being resealed (its own seal number does not count). Raises
    ValidationError. Every path (page, API, CSV, command, custody resealing) asks here; the
    database constraint ``exhibit_unique_seal`` then settles a race.
    """
    taken = Exhibit.objects.filter(dossier=dossier, seal_number=seal_number)
    if exhibit is not None:
        taken = taken.exclude(pk=exhibit.pk)
    if taken.exists():
        raise ValidationError(_seal_number_taken(), code="seal_number_taken")


@transaction.atomic
def exhibit_register(
    *, dossier: Dossier, kind: str, seal_number: str, description: str = "", by, ip: str | None = None, **details
) -> Exhibit:
    """Register a seized item. ``details``: any of EXHIBIT_DETAILS; parent, suspect and search of this dossier.

    Raises ValidationError (on ``seal_number``) if the dossier already has an exhibit with this seal
    number, also when another registration of the same seal wins a race.
    """
    unknown = set(details) - set(EXHIBIT_DETAILS)
    if unknown:
        raise TypeError(f"unknown exhibit fields: {sorted(unknown)}")
    _check_same_dossier(dossier, details)
    try:
        seal_number_check(dossier=dossier, seal_number=seal_number)
    except ValidationError as error:
        raise ValidationError({"seal_number": error}) from None
    details = {key: value for key, value in details.items() if value is not None}
    try:
        with transaction.atomic():
            exhibit = Exhibit.objects.create(
                dossier=dossier, kind=kind, seal_number=seal_number, description=description, created_by=by, **details
            )
    except IntegrityError:  # the same seal registered at the same moment
        raise ValidationError({"seal_number": _seal_number_taken()}) from None
    audit_record(actor=by, action="exhibit.register", target=exhibit, ip=ip)
    return exhibit


def _kind_spellings() -> dict[str, str]:
    spellings = {}
    for value, label in Exhibit.Kind.choices:
        spellings[value] = value
        spellings[str(label).lower()] = value
        spellings[value.replace("_", " ")] = value
    return spellings


def exhibits_bulk_preview(*, search: Search, text: str) -> tuple[list[dict], list[str]]:
    """Parse the CSV and check each row against the dossier; nothing is saved.

    Returns (rows, file_errors) as ``evidence.custody.bulk.parse_exhibits_csv``, with the dossier's checks
    added to each row's errors (seal number already used, parent exhibit unknown).
    """
    rows, file_errors = bulk.parse_exhibits_csv(text, _kind_spellings())
    if file_errors:
        return rows, [_(error) for error in file_errors]
    existing = set(Exhibit.objects.filter(dossier=search.dossier_id).values_list("seal_number", flat=True))
    in_file = {row["values"]["seal_number"] for row in rows}
    for row in rows:
        values = row["values"]
        if values["seal_number"] in existing:
            row["errors"].append(_seal_number_taken())
        parent = values["parent_seal"]
        if parent and parent not in existing and parent not in in_file:
            row["errors"].append(
                _("Parent exhibit %(seal)s is neither in this dossier nor in the file.") % {"seal": parent}
            )
    return rows, []


@transaction.atomic
def exhibits_bulk_register(*, search: Search, text: str, by, ip: str | None = None) -> list[Exhibit]:
    """Register every row of the CSV as an exhibit seized during ``search``: all of them, or none.

    Raises ValidationError if any row (or the file) has an error; then nothing is saved.
    """
    rows, file_errors = exhibits_bulk_preview(search=search, text=text)
    errors = file_errors + [f"{row['line']}: {error}" for row in rows for error in row["errors"]]
    if errors:
        raise ValidationError(errors)
    dossier = search.dossier
    exhibits = Exhibit.objects.bulk_create(
        Exhibit(
            dossier=dossier,
            search=search,
            kind=row["values"]["kind"],
            seal_number=row["values"]["seal_number"],
            description=row["values"]["description"],
            make=row["values"]["make"],
            device_model=row["values"]["model"],
            serial_number=row["values"]["serial_number"],
            imei=row["values"]["imei"],
            iccid=row["values"]["iccid"],
            capacity_bytes=row["values"]["capacity_bytes"],
            storage_location=row["values"]["storage_location"],
            created_by=by,
        )
        for row in rows
    )
    by_seal = {exhibit.seal_number: exhibit for exhibit in dossier.exhibits.all()}
    children = []
    for row, exhibit in zip(rows, exhibits, strict=True):
        if row["values"]["parent_seal"]:
            exhibit.parent = by_seal[row["values"]["parent_seal"]]
            children.append(exhibit)
    Exhibit.objects.bulk_update(children, ["parent"])
    created = {exhibit.seal_number: exhibit for exhibit in exhibits}
    audit_record(
        actor=by,
        action="exhibit.bulk_register",
        target=search,
        ip=ip,
        count=len(created),
        seals=sorted(created)[:1000],
    )
    return exhibits

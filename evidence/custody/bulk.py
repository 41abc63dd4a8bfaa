"""Parse a CSV of exhibits for bulk registration: plain Python, no Django import.

The first line names the columns (any order, case-insensitive); ``seal_number`` and ``kind`` are
required. Each row becomes a dict of clean values, or a list of errors with its line number.
"""

import csv
import io
import re

COLUMNS = (
    "seal_number",
    "kind",
    "make",
    "model",
    "serial_number",
    "imei",
    "iccid",
    "capacity",
    "description",
    "storage_location",
    "parent_seal",
)
REQUIRED = ("seal_number", "kind")
MAX_ROWS = 5000
UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
CAPACITY = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_capacity(text: str) -> int | None:
    """Bytes from "500000000000", "500 GB" or "1.5 TB" (decimal units; KiB etc. binary). None if invalid."""
    match = CAPACITY.match(text)
    if not match or match.group(2).lower() not in UNITS:
        return None
    return int(float(match.group(1).replace(",", ".")) * UNITS[match.group(2).lower()])


def parse_exhibits_csv(text: str, kinds: dict[str, str]) -> tuple[list[dict], list[str]]:
    """Return (rows, file_errors). ``kinds`` maps accepted spellings (code or label, lowercase) to a kind.

    Each row: {"line": n, "values": {...}, "errors": [...]}. Delimiter: comma or semicolon (sniffed).
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], ["The file is empty."]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower().replace(" ", "_") for name in next(reader)]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        errors = []
        if missing:
            errors.append(f"Missing column(s): {', '.join(missing)}.")
        if unknown:
            errors.append(f"Unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}.")
        return [], errors
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            return rows, [f"At most {MAX_ROWS} rows at once."]
        errors = []
        if len(record) != len(header):
            errors.append(f"{len(record)} values for {len(header)} columns.")
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
        values = {name: cells.get(name, "") for name in COLUMNS}
        if not values["seal_number"]:
            errors.append("The seal number is missing.")
        elif values["seal_number"] in seen:
            errors.append(f"Seal number {values['seal_number']} is already on line {seen[values['seal_number']]}.")
        else:
            seen[values["seal_number"]] = line
        kind = kinds.get(values["kind"].lower())
        if kind is None:
            errors.append(f"Unknown kind {values['kind']!r}.")
        values["kind"] = kind or values["kind"]
        capacity = values.pop("capacity")
        values["capacity_bytes"] = None
        if capacity:
            values["capacity_bytes"] = parse_capacity(capacity)
            if values["capacity_bytes"] is None:
                errors.append(f"Capacity {capacity!r} is not a number of bytes (e.g. 500 GB).")
        if values["imei"] and not re.fullmatch(r"\d{14,16}", values["imei"]):
            errors.append("An IMEI has 15 digits.")
        if values["parent_seal"] and values["parent_seal"] == values["seal_number"]:
            errors.append("An exhibit cannot be inside itself.")
        rows.append({"line": line, "values": values, "errors": errors})
    if not rows:
        return [], ["No exhibit in the file: only the header line."]
    return rows, []

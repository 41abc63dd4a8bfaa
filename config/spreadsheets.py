"""CSV for people who open it in a spreadsheet: no cell is ever run as a formula.

Every CSV export of the project (board, chat accounts, ``export_files``, list differences, the
ICSE export for partner forces) writes through these writers. Excel, LibreOffice and Google
Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``
sends data out, ``=cmd|...`` used to start programs), and some strip a leading tab or carriage
return first, so a cell starting with any of these six characters is written with a leading
apostrophe, which spreadsheets read as "this is text" (OWASP's advice for CSV injection).

A number stays a number: an ``int``, ``float`` or ``Decimal`` is written as it is, and so is text
that is a plain number (``-5``, ``+1.5e3``), since no spreadsheet runs anything from it. Plain
Python (the csv module): every layer may use it.
"""

import csv
import json
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value):
    """``value`` as a CSV cell that no spreadsheet runs: text starting a formula gets a leading apostrophe.

    None is an empty cell; a list or a dict is written as JSON.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool too: written True/False
        return value
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SpreadsheetWriter:
    """``csv.writer`` (same options) whose every cell goes through ``spreadsheet_cell``."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class SpreadsheetDictWriter(csv.DictWriter):
    """``csv.DictWriter`` (same options) whose every cell goes through ``spreadsheet_cell``."""

    def writerow(self, rowdict):
        return super().writerow({key: spreadsheet_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)

"""Import and export files: CSV (as spreadsheets and other systems write it) and Excel workbooks (.xlsx).

Reading gives a ``Sheet``: the header row and the data rows as text cells with the line each starts on
(the line of a CSV record, the row of a workbook), so a report can point at it. CSV may be UTF-8 (with or
without the byte-order mark Excel writes) or Windows-1252, separated by ``;`` (Dutch Excel), ``,`` or tabs.
Writing gives the same two formats, UTF-8 with a byte-order mark and ``;`` for CSV (Excel opens it as is).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = ["FileError", "Format", "Sheet", "format_of", "read_sheet", "write_csv", "write_xlsx"]

Format = Literal["csv", "xlsx"]
_XLSX_MAGIC = b"PK\x03\x04"
_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


class FileError(ValueError):
    """A file that cannot be read as a table at all (not CSV or xlsx, no header, unreadable)."""


@dataclass
class Sheet:
    """A table read from a file: its header and its data rows as (line, cells), read as they are asked for."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def format_of(content: bytes, filename: str | None = None) -> Format:
    """Whether ``content`` is an Excel workbook or CSV (by its first bytes, else its name)."""
    if content.startswith(_XLSX_MAGIC) or (filename or "").lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def read_sheet(content: bytes, fmt: Format | None = None) -> Sheet:
    """The table in ``content`` (CSV or xlsx); FileError when there is none."""
    if (fmt or format_of(content)) == "xlsx":
        return _read_xlsx(content)
    return _read_csv(content)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What Excel writes as "CSV" on a Dutch Windows machine.
        return content.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {separator: first_line.count(separator) for separator in (";", ",", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def _read_csv(content: bytes) -> Sheet:
    text = _decode(content)
    if "\x00" in text:
        raise FileError("the file is neither CSV text nor an Excel workbook (.xlsx)")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        headers = next(reader)
    except StopIteration:
        raise FileError("the file is empty: it needs a header row naming its columns") from None
    except csv.Error as error:
        raise FileError(f"the header row cannot be read as CSV ({error})") from None
    headers = [header.strip() for header in headers]
    if not any(headers):
        raise FileError("the first row names no columns: it needs a header row")
    return Sheet(headers, _csv_rows(reader))


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Data rows with the line each starts on; blank lines are skipped."""
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if cells and any(cells):
                yield start, cells
    except csv.Error as error:
        raise FileError(f"line {line + 1} cannot be read as CSV ({error})") from None


def _read_xlsx(content: bytes) -> Sheet:
    # openpyxl parses the workbook's XML; read-only mode streams the rows instead of building every cell.
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML and openpyxl's own errors: all say "not a workbook we can read"
        raise FileError(f"the file cannot be read as an Excel workbook (.xlsx): {type(error).__name__}") from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileError("the workbook has no sheet")
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell_text(value) for value in next(rows)]
    except StopIteration:
        raise FileError("the first sheet is empty: it needs a header row naming its columns") from None
    if not any(headers):
        raise FileError("the first row names no columns: it needs a header row")

    def data() -> Iterator[tuple[int, list[str]]]:
        try:
            width = len(headers)
            for line, values in enumerate(rows, start=2):
                cells = [_cell_text(value) for value in values]
                if any(cells):
                    # A workbook leaves out empty cells at a row's end; a CSV row has every column.
                    yield line, cells + [""] * (width - len(cells))
        finally:
            workbook.close()

    return Sheet(headers, data())


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold (dates ISO, whole numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value).strip()


def _text(value: Any) -> str:
    """A value as an export writes it: lists with '; ', dates ISO, yes/no in Dutch, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list | tuple):
        return "; ".join(_text(item) for item in value)
    if isinstance(value, datetime):
        # Dutch wall-clock time, as the import reads a moment without an offset.
        return value.astimezone(_DUTCH_TIME).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV as Dutch Excel reads it (UTF-8 with a byte-order mark, ``;``), in chunks of a thousand rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_text(value) for value in row])
        if count % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """An Excel workbook with one sheet: the header row in bold, then the rows (dates and numbers typed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool | datetime):
        return _text(value)
    if value is None or isinstance(value, int | date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return _text(value)
    return str(value)

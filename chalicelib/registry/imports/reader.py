"""A registry file read as the rows under its header: any file a district office saves
(`chalicelib.imports.sheets`: workbooks, web-page tables, text in any common encoding), searched
sheet by sheet for a header of the kind asked for.

Row numbers are the ones the officer sees in Excel: the first row of the file is 1.
"""

from __future__ import annotations

from chalicelib.imports import ImportRejected
from chalicelib.imports.sheets import HEADER_SEARCH_ROWS, Sheet, chain, sheets
from chalicelib.registry.imports.columns import HeaderMap, Kind, find_header


def open_sheet(content: bytes, kind: Kind | None) -> Sheet[HeaderMap]:
    """The first sheet of the file that has a header of `kind` (any kind when None)."""
    if not content.strip():
        raise ImportRejected("the file is empty")
    file_format, notes, named = sheets(content)
    for name, rows in named:
        top = [next(rows, (0, [])) for _ in range(HEADER_SEARCH_ROWS)]
        found = find_header([cells for _, cells in top], kind)
        if found is None:
            continue
        index, headers = found
        rest = (row for row in top[index + 1 :] if row[0])
        described = f"{file_format}, sheet {name!r}" if file_format == "workbook" else file_format
        return Sheet(described, top[index][0], headers, chain(rest, rows), notes)
    wanted = f"a {kind.value} file" if kind else "an SHG, member, artisan or product file"
    raise ImportRejected(
        f"no header row of {wanted} in the top {HEADER_SEARCH_ROWS} rows: see the column names in "
        "the README (Registry import)"
    )

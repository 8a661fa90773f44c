"""Which cell of a file's header row holds which field an import reads.

A header names a field when it equals the field's header or one of its aliases after `fold`: case,
spaces, punctuation and underscores never matter (`MOBILE_NO`, `Mobile No.` and `mobile no` are one),
nor chandrabindu/anusvara in Hindi headers. Column order never matters; when two columns name one
field, the one named by the earlier of its names wins whatever their order, and the other is listed
as ignored with the columns the import does not know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.text import fold


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as Haat's own template, samples and messages spell it
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class HeaderMap:
    """Which cell of a row holds which field; `headers` keeps the file's own spelling for the report."""

    layout: Layout
    index_of: dict[str, int]
    headers: dict[str, str]
    missing: tuple[str, ...]  # required columns the file lacks, as Haat spells them
    ignored: tuple[str, ...]  # the file's columns the import does not read (unknown or repeated)

    def header(self, field: str) -> str:
        """The file's header of a field (or Haat's, for a field the file lacks)."""
        return self.headers.get(field) or self.layout.header(field)

    def cells(self, cells: list[str]) -> dict[str, str]:
        """Field -> cell of one row (a short row's missing cells are empty)."""
        return {field: cells[index] if index < len(cells) else "" for field, index in self.index_of.items()}


class Layout:
    """The columns a kind of file has, looked up by folded header."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        self._lookup = {
            fold(name): (column, rank)
            for column in self.columns
            for rank, name in enumerate((column.header, *column.aliases))
        }

    def column_of(self, header: str) -> Column | None:
        found = self._lookup.get(fold(header))
        return found[0] if found else None

    def header(self, field: str) -> str:
        return next(c.header for c in self.columns if c.field == field)

    def map(self, cells: list[str]) -> HeaderMap:
        chosen: dict[str, tuple[int, int]] = {}  # field -> (rank of its name, cell index)
        for index, cell in enumerate(cells):
            found = self._lookup.get(fold(cell))
            if found is not None and (found[0].field not in chosen or found[1] < chosen[found[0].field][0]):
                chosen[found[0].field] = (found[1], index)
        index_of = {field: index for field, (_, index) in chosen.items()}
        used = set(index_of.values())
        return HeaderMap(
            layout=self,
            index_of=index_of,
            headers={field: cells[index].strip() for field, index in index_of.items()},
            missing=tuple(c.header for c in self.columns if c.required and c.field not in index_of),
            ignored=tuple(cell.strip() for i, cell in enumerate(cells) if i not in used and cell.strip()),
        )

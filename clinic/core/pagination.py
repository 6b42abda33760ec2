"""One page of a long list without counting the whole list.

Django's `Paginator` runs `COUNT(*)` over every matching row before it fetches a page; on a list
that grows with the clinic (patients, the audit trail) that count costs as much as the search
itself, on every request. A `Window` fetches one row more than it shows instead: that row says
whether there is a next page. Pages are numbered from 1; a number that is not a positive integer
shows the first page, and a page past the end is empty (no error, no 404)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# A page number beyond this is refused as page 1: an offset of millions scans millions of rows.
MAX_PAGE = 10_000


def page_number_of(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


@dataclass(frozen=True)
class Window:
    object_list: Sequence[Any]
    number: int
    per_page: int
    has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row shown (0 when the page is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def window(queryset: QuerySet, page_number: Any, *, per_page: int) -> Window:
    """One page of an ordered queryset, in one query (`per_page + 1` rows at most)."""
    if not queryset.ordered:
        raise ValueError("A window over an unordered queryset would show rows twice or never.")
    number = page_number_of(page_number)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Window(rows[:per_page], number, per_page, has_next=len(rows) > per_page)

"""Small helpers shared by the views."""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None, *, count: int | None = None):
    """A page of ``queryset``; ``count``: how many there are, when known (or capped) without a count(*)."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: set, it is never computed
    return paginator.get_page(request.GET.get("page"))


class KeysetPage:
    """One page of a list read by keyset (``id`` after or before a bound), never by OFFSET or count(*):
    the tenth thousandth page of a million files costs what the first does."""

    def __init__(self, items: list, *, has_next: bool, has_previous: bool):
        self.object_list = items
        self.has_next = has_next
        self.has_previous = has_previous
        self.next_after = items[-1].pk if has_next and items else None
        self.previous_before = items[0].pk if has_previous and items else None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _bound(request, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def keyset_paginate(request, queryset, per_page: int | None = None, *, partitions=None) -> KeysetPage:
    """The page of ``queryset`` (in ``id`` order) after ``?after=ID`` or before ``?before=ID``.

    ``partitions`` (field name, values), e.g. ``("exhibit_id", [3, 4])`` for a dossier's files: the
    page is read in each partition through its own index, then merged. One scan in ``id`` order
    over several exhibits would walk past the other dossiers' files (all of them when this
    dossier's files are the newest) before it finds the page's first row.
    """
    per_page = per_page or settings.PAGE_SIZE
    before, after = _bound(request, "before"), _bound(request, "after")
    if before:
        rows = _rows(queryset.filter(pk__lt=before), "-pk", per_page + 1, partitions)
        return KeysetPage(rows[:per_page][::-1], has_next=True, has_previous=len(rows) > per_page)
    if after:
        queryset = queryset.filter(pk__gt=after)
    rows = _rows(queryset, "pk", per_page + 1, partitions)
    return KeysetPage(rows[:per_page], has_next=len(rows) > per_page, has_previous=after is not None)


def _rows(queryset, order: str, limit: int, partitions) -> list:
    from django.db import connection

    if partitions is None or len(partitions[1]) < 2 or connection.vendor != "postgresql":
        return list(queryset.order_by(order)[:limit])
    field, values = partitions
    # Each part is read in (partition, id) order, which only the partition's index gives: with
    # `field = value` the planner would drop the constant from the order and could walk the primary
    # key instead, past every other partition's rows; `= ANY` of one value keeps it in. SQLite
    # takes no LIMIT inside a UNION: it has the single query above.
    column = f"{connection.ops.quote_name(queryset.model._meta.db_table)}.{connection.ops.quote_name(field)}"
    ordering = (f"-{field}", "-pk") if order.startswith("-") else (field, "pk")
    parts = [
        queryset.extra(where=[f"{column} = ANY(%s)"], params=[[value]])  # noqa: S610 - our own column name
        .order_by(*ordering)
        .values_list("pk", flat=True)[:limit]
        for value in values
    ]
    ids = sorted(parts[0].union(*parts[1:], all=True), reverse=order.startswith("-"))[:limit]
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids]

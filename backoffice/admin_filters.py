"""List filters shared by the admin modules: a from/to date range, a value typed into a box,
and a few fixed choices each selecting rows by a Q."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest


class DateRangeFilter(admin.FieldListFilter):
    """From/to dates (inclusive; UTC days of a DateTimeField) in the changelist sidebar.

    A DateTimeField is filtered as a range, `field >= from 00:00 UTC AND field < the day after
    to, 00:00 UTC`, which its index serves (never `field::date`, which no index serves); the
    URL keeps the parameter names `<field>__date__gte` and `<field>__date__lte`."""

    template = "admin/backoffice/date_range_filter.html"

    def __init__(
        self,
        field: models.Field[Any, Any],
        request: HttpRequest,
        params: dict[str, Any],
        model: type[models.Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
        self.is_datetime = isinstance(field, models.DateTimeField)
        self.field_path = field_path
        day = f"{field_path}__date" if self.is_datetime else field_path
        self.lookup_from = f"{day}__gte"
        self.lookup_to = f"{day}__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.dates: dict[str, dt.date] = {}
        for name in (self.lookup_from, self.lookup_to):
            values = self.used_parameters.get(name) or []
            value = str(values[-1] if isinstance(values, list) and values else values or "")
            if not value:
                self.used_parameters.pop(name, None)
                continue
            try:
                self.dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise IncorrectLookupParameters(f"{value!r} is not a date (YYYY-MM-DD)") from None

    def queryset(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> models.QuerySet[Any]:
        if not self.is_datetime:
            return queryset.filter(**self.dates)
        bounds: dict[str, dt.datetime] = {}
        if self.lookup_from in self.dates:
            bounds[f"{self.field_path}__gte"] = utc_midnight(self.dates[self.lookup_from])
        if self.lookup_to in self.dates:
            day_after = self.dates[self.lookup_to] + dt.timedelta(days=1)
            bounds[f"{self.field_path}__lt"] = utc_midnight(day_after)
        return queryset.filter(**bounds)

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_from, self.lookup_to]

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        mine = {self.lookup_from, self.lookup_to}
        hidden = [(k, v) for k, v in changelist.params.items() if k not in mine]
        yield {
            "lookup_from": self.lookup_from,
            "lookup_to": self.lookup_to,
            "value_from": self.dates.get(self.lookup_from, ""),
            "value_to": self.dates.get(self.lookup_to, ""),
            "hidden": hidden,
            "clear_url": changelist.get_query_string(remove=list(mine)),
        }


def utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


class InputFilter(admin.SimpleListFilter):
    """A list filter typed into a box (ids are too many to list): `parameter_name=value`."""

    template = "admin/backoffice/input_filter.html"
    placeholder = ""
    numeric = False
    # The queryset filter the typed value goes to, e.g. "game_id" or "player__user_id".
    field_lookup = ""

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(**{self.field_lookup: int(value) if self.numeric else value})

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def value(self) -> str | None:
        value = super().value()
        if value is None:
            return None
        value = str(value).strip()
        if self.numeric and value and not value.lstrip("-").isdigit():
            raise IncorrectLookupParameters(f"{self.title}: {value!r} is not a number")
        return value or None

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        hidden = [(k, v) for k, v in changelist.params.items() if k != self.parameter_name]
        yield {
            "parameter": self.parameter_name,
            "value": self.value() or "",
            "hidden": hidden,
            "placeholder": self.placeholder,
            "inputmode": "numeric" if self.numeric else "text",
            "clear_url": changelist.get_query_string(remove=[str(self.parameter_name)]),
        }


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter of a few fixed choices, each selecting rows by a Q: `options()` gives
    {value: (label, Q)}. No choice (or an unknown one) shows every row."""

    def options(self) -> dict[str, tuple[str, Q]]:
        raise NotImplementedError

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _q) in self.options().items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        option = self.options().get(str(self.value() or ""))
        return queryset if option is None else queryset.filter(option[1])

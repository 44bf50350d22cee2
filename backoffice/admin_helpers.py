"""Building blocks shared by the admin modules (`backoffice.admin`): read-only admins, links,
money and warning flags, readable JSON (`backoffice.json_display`), masked secrets, reason
forms for actions and CSV export.
The shared list filters are `backoffice.admin_filters`."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteMixin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from unfold import widgets as unfold_widgets
from unfold.admin import TabularInline

from backoffice.json_display import json_text as json_text
from backoffice.json_display import pretty_json as pretty_json
from backoffice.money_display import badge as badge
from backoffice.money_display import money_html as money_html
from backoffice.money_display import money_text as money_text


class ReadOnlyAdminMixin:
    """Staff may look, never write: no add, change or delete from the admin, for anyone.

    Used for the ledger (transactions, entries) and logs: money history is append-only and is
    written only by the wallet's services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, TabularInline):
    hide_title = True  # each row's columns say it all (its str() would repeat raw values)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


def admin_url(obj: models.Model, view: str = "change") -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def admin_link(obj: models.Model | None, text: object = None) -> str:
    """A link to an object's admin page ("-" for none)."""
    if obj is None:
        return "-"
    return format_html('<a href="{}">{}</a>', admin_url(obj), obj if text is None else text)


def changelist_url(model: type[models.Model], **params: object) -> str:
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    if params:
        url += "?" + urlencode({k: str(v) for k, v in params.items()})
    return url


def money_column(
    field: str, currency: str = "currency", *, description: str | None = None
) -> Callable[[Any, Any], SafeString]:
    """A money column or read-only field for a ModelAdmin or inline (assign it to a class
    attribute named `<something>_money`, then name that in list_display or the fields): the
    amount `field` in the currency read from `currency` (a dotted attribute path, e.g.
    "wallet.currency"), by `money_html`. Sorted by the amount's own column."""
    amount_of, currency_of = attrgetter(field), attrgetter(currency)

    def show(model_admin: Any, obj: Any) -> SafeString:
        return money_html(amount_of(obj), currency_of(obj) or "")

    ordering = field.replace(".", "__")
    return admin.display(
        description=description or field.rsplit(".", 1)[-1].replace("_", " "), ordering=ordering
    )(show)


_MONEY_FIELDS: dict[tuple[type[models.Model], str, str], Callable[[Any], SafeString]] = {}


def money_fields(
    model: type[models.Model], names: Iterable[str], currency: str = "currency"
) -> list[Any]:
    """`names` of an object's page (`fields = readonly_fields = ...`) with each amount (a
    DecimalField of 2 places) shown by `money_html` in the object's `currency`. The same
    callable every time for one field: the admin matches read-only fields by identity."""
    shown: list[Any] = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            shown.append(name)
            continue
        if not (isinstance(field, models.DecimalField) and field.decimal_places == 2):
            shown.append(name)
            continue
        key = (model, name, currency)
        if key not in _MONEY_FIELDS:
            amount_of, currency_of = attrgetter(name), attrgetter(currency)

            def show(obj: Any, amount_of: Any = amount_of, currency_of: Any = currency_of) -> Any:
                return money_html(amount_of(obj), currency_of(obj) or "")

            _MONEY_FIELDS[key] = admin.display(description=str(field.verbose_name))(show)
        shown.append(_MONEY_FIELDS[key])
    return shown


def negative_html(value: object) -> SafeString:
    """A value that needs attention (a negative balance, a difference), in red."""
    return format_html('<strong class="bo-negative">{}</strong>', value)


def alert_flag(text: str) -> SafeString:
    """A warning flag (MISMATCH, EXCEEDED, OPEN) that makes its row stand out."""
    return format_html('<strong class="bo-negative bo-mismatch-flag">{}</strong>', text)


def object_urls(
    model_admin: admin.ModelAdmin[Any], **views: Callable[..., HttpResponse]
) -> list[URLPattern]:
    """Extra pages of one object, for `get_urls`: each view `name` at `<object_id>/<name>/`
    ("_" written "-"), named `<app_label>_<model_name>_<name>` (e.g. hand_history: the URL
    `<pk>/hand-history/`, named "platform_wallet_transaction_hand_history")."""
    meta = model_admin.opts
    return [
        path(
            f"<path:object_id>/{name.replace('_', '-')}/",
            model_admin.admin_site.admin_view(view),
            name=f"{meta.app_label}_{meta.model_name}_{name}",
        )
        for name, view in views.items()
    ]


def mask_secret(secret: str) -> str:
    """A secret as staff may see it: its length and, for long ones, its last 4 characters."""
    if not secret:
        return "(not set)"
    if len(secret) >= 16:
        return f"{'•' * 8}{secret[-4:]} ({len(secret)} characters)"
    return f"{'•' * 8} ({len(secret)} characters)"


class ThemedFormMixin:
    """A form of our own pages (a reason, a job to run, a secret to rotate) in the theme's look:
    each widget gets unfold's classes, as the ModelAdmins' widgets do. Put it first in the
    bases of a `forms.Form` or `forms.ModelForm`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if (
                isinstance(widget, forms.HiddenInput | forms.RadioSelect | AutocompleteMixin)
                or type(widget).__module__.startswith("unfold.")  # styled already
            ):
                continue
            if isinstance(widget, forms.CheckboxInput):
                classes = unfold_widgets.CHECKBOX_CLASSES
            elif isinstance(widget, forms.Select):
                classes = unfold_widgets.SELECT_CLASSES
            elif isinstance(widget, forms.Textarea):
                classes = unfold_widgets.TEXTAREA_CLASSES
            else:
                classes = unfold_widgets.INPUT_CLASSES
            widget.attrs["class"] = " ".join([*classes, str(widget.attrs.get("class", ""))])


class ReasonForm(ThemedFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required. Kept with the change and in the object's history.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        if "|" in reason:
            raise forms.ValidationError("The reason must not contain '|'.")
        return reason


def reason_action(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: models.QuerySet[Any],
    *,
    action: str,
    title: str,
    button: str,
    apply: Callable[[Any, str], None],
    done: Callable[[int], str],
) -> TemplateResponse | None:
    """An admin action that first asks for a reason (an intermediate page), then applies
    `apply(obj, reason)` to every selected object and logs it in each object's history."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        reason = form.cleaned_data["reason"]
        count = 0
        for obj in queryset:
            apply(obj, reason)
            model_admin.log_change(request, obj, f"{title}: {reason}")
            count += 1
        model_admin.message_user(request, done(count))
        return None
    return reason_page(
        model_admin, request, list(queryset), form=form, action=action, title=title, button=button
    )


def reason_page(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    objects: list[Any],
    *,
    form: ReasonForm,
    action: str,
    title: str,
    button: str,
    form_action: str = "",
) -> TemplateResponse:
    """The page asking for a reason before `action` on `objects`. It posts to the changelist's
    action of that name: the page's own URL (an action's intermediate page), or `form_action`
    (the changelist, from an object's own page)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "objects": objects,
        "form": form,
        "action": action,
        "button": button,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "form_action": form_action,
    }
    return TemplateResponse(request, "admin/backoffice/reason_action.html", context)


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, CSV Injection):
# such a string cell gets a leading "'", which makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def csv_cell(value: object) -> object:
    """A value as a CSV export writes it: None is empty; a string that a spreadsheet would read
    as a formula is neutralised with a leading "'"; numbers (Decimal, int), dates and booleans
    are written as they are, so that -5.00 stays a number."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV download; every cell goes through `csv_cell` (no formula injection)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def per_date_csv(
    items: Iterable[Any], *, filename: str, parent: str, fields: Sequence[str]
) -> HttpResponse:
    """A CSV download of report rows or reconciliation lines: the date and operator id of each
    one's `parent` (its report or reconciliation), then its `fields`."""

    def row(item: Any) -> list[object]:
        of = getattr(item, parent)
        return [of.date.isoformat(), of.operator.operator_id, *(getattr(item, f) for f in fields)]

    return csv_response(
        filename=filename, header=["date", "operator_id", *fields], rows=map(row, items)
    )


def changelist_queryset(response: HttpResponse) -> QuerySet[Any] | None:
    """A changelist's filtered queryset (all pages), or None when the page is no list."""
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        changelist = response.context_data.get("cl")
        if changelist is not None:
            return changelist.queryset
    return None


def with_chart(response: HttpResponse, chart: SafeString) -> HttpResponse:
    """A changelist page with a chart above its list (`bo_chart`, see change_list.html)."""
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        response.context_data["bo_chart"] = chart
    return response


def request_staff(request: HttpRequest) -> AbstractBaseUser:
    """The logged-in staff member of an admin request (the admin lets no one else in)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        raise PermissionDenied
    return user

"""Building blocks shared by the admin modules (`backoffice.admin`): read-only admins, links,
money and warning flags, readable JSON, masked secrets, reason forms for actions and CSV export.
The shared list filters are `backoffice.admin_filters`."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from platform_client import validation


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


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
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


def money_text(value: Decimal | None, currency: str = "") -> str:
    """An amount as the admin shows it: "1,234.50 EUR" ("-" for none)."""
    if value is None:
        return "-"
    return f"{value:,.2f} {currency}".strip()


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


def json_text(value: Any, level: int = 0) -> str:
    """Indented JSON with sorted keys; Decimals are written as numbers with all their digits
    (an amount of 9.00 reads 9.00, not 9.0)."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {json_text(v, level + 1)}"
            for k, v in sorted(value.items(), key=lambda item: str(item[0]))
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{json_text(v, level + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, default=str)


PRETTY_MAX_DEPTH = 50
PRETTY_MAX_CHARS = 1_000_000


def pretty_json(value: Any) -> SafeString:
    """JSON (a decoded value, or a string holding JSON) indented for reading, escaped.

    Never crashes on what is stored (issue 10): text that is not JSON, is larger than
    PRETTY_MAX_CHARS or nested deeper than PRETTY_MAX_DEPTH (json.loads and the indenting would
    recurse into a RecursionError) is shown as the raw text instead, cut at PRETTY_MAX_CHARS; a
    decoded value that cannot be indented safely is named, not shown."""
    raw: str | None = None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        raw = value
        if len(raw) > PRETTY_MAX_CHARS:
            return _raw_text(raw)
        try:
            value = json.loads(raw, parse_float=Decimal)
        except (ValueError, RecursionError):
            return _raw_text(raw)
    try:
        validation.json_document(
            value, "the value", max_depth=PRETTY_MAX_DEPTH, max_chars=PRETTY_MAX_CHARS
        )
    except validation.InvalidValue as problem:
        if raw is not None:
            return _raw_text(raw)
        return format_html('<pre class="bo-json bo-json-raw">(not shown: {})</pre>', problem)
    return format_html('<pre class="bo-json">{}</pre>', json_text(value))


def _raw_text(raw: str) -> SafeString:
    more = len(raw) - PRETTY_MAX_CHARS
    shown = raw[:PRETTY_MAX_CHARS] + (f"… ({more} more characters)" if more > 0 else "")
    return format_html('<pre class="bo-json bo-json-raw">{}</pre>', shown)


def mask_secret(secret: str) -> str:
    """A secret as staff may see it: its length and, for long ones, its last 4 characters."""
    if not secret:
        return "(not set)"
    if len(secret) >= 16:
        return f"{'•' * 8}{secret[-4:]} ({len(secret)} characters)"
    return f"{'•' * 8} ({len(secret)} characters)"


class ReasonForm(forms.Form):
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

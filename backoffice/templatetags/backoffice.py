"""Template tags of the backoffice: the admin index dashboard, money and readable JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from backoffice import dashboard_selectors, selectors
from backoffice.charts import line_chart_svg
from backoffice.json_display import pretty_json as _pretty_json
from backoffice.money_display import money_html

register = template.Library()


@register.simple_tag
def money(value: Any, currency: str) -> SafeString:
    """`{% money amount currency %}`: an amount as every admin page shows it (`money_html`)."""
    return money_html(value, currency)


@register.simple_tag
def pretty_json(value: Any) -> SafeString:
    return _pretty_json(value)


def _count_text(value: Decimal) -> str:
    """A chart's axis value that counts things: whole numbers plain, others with one decimal."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


@register.inclusion_tag("admin/backoffice/dashboard.html", takes_context=True)
def backoffice_dashboard(context: template.Context) -> dict[str, Any]:
    """What the staff member may see of today's activity: every panel needs its permission."""
    request = context["request"]
    user = request.user
    now = timezone.now()
    panels: dict[str, Any] = {"now": now, "day_start": selectors.day_start(now)}
    if user.has_perm("platform_wallet.view_transaction"):
        panels["totals"] = dashboard_selectors.today_totals(now=now)
        panels["transactions_url"] = reverse("admin:platform_wallet_transaction_changelist") + (
            f"?created_at__date__gte={now.date().isoformat()}"
        )
        panels["ggr_charts"] = [  # one per currency: amounts of two currencies never share an axis
            line_chart_svg(
                series={currency: points},
                title=f"{currency}: GGR per day, last 30 days",
                width=560,
                height=220,
            )
            for currency, points in sorted(
                dashboard_selectors.ggr_per_day(now=now, today_lines=panels["totals"]).items()
            )
        ]
    if user.has_perm("platform_wallet.view_round"):
        panels["stale_minutes"] = settings.STALE_ROUND_MINUTES
        panels["pending_rounds"] = dashboard_selectors.rounds_pending(now=now)
        panels["rounds_url"] = reverse("admin:platform_wallet_round_changelist") + "?state=open"
    if user.has_perm("platform_wallet.view_gamesession"):
        panels["active_sessions"] = selectors.sessions_active_count(now=now)
        panels["sessions_url"] = (
            reverse("admin:platform_wallet_gamesession_changelist") + "?state=active"
        )
    if user.has_perm("platform_wallet.view_apierrorlog"):
        since = now - dt.timedelta(hours=1)
        errors = dashboard_selectors.api_errors_since(since=since)
        panels["errors"] = errors
        panels["errors_total"] = sum(e.count for e in errors)
        panels["errors_url"] = reverse("admin:platform_wallet_apierrorlog_changelist")
        per_hour = dashboard_selectors.api_errors_per_hour(now=now)
        panels["errors_day"] = [
            (code, sum(int(count) for _hour, count in points)) for code, points in per_hour.items()
        ]
        panels["errors_chart"] = line_chart_svg(
            series=per_hour,
            title="Wallet errors per code and hour (UTC), last 24 hours",
            x_format="%H:00",
            y_format=_count_text,
            width=560,
            height=260,
        )
        panels["errors_day_since"] = (now - dt.timedelta(days=1)).date().isoformat()
    if user.has_perm("platform_wallet.view_wallet"):
        panels["negative_wallets"] = dashboard_selectors.wallets_negative_count()
        panels["negative_url"] = (
            reverse("admin:platform_wallet_wallet_changelist") + "?balance=negative"
        )
    if user.has_perm("reporting.view_limitsnapshot"):
        panels["limits"] = selectors.limits_state()
        panels["limits_url"] = reverse("admin:reporting_limitsnapshot_changelist")
        if user.has_perm("reporting.view_limitalert"):
            panels["alerts_url"] = reverse("admin:reporting_limitalert_changelist") + "?open=yes"
    if user.has_perm("backoffice.approve_adjustment"):
        panels["user_pk"] = user.pk
        panels["approvals"] = selectors.adjustments_pending()
        panels["approvals_count"] = selectors.adjustments_pending_count()
        panels["approvals_url"] = (
            reverse("admin:backoffice_adjustmentrequest_changelist") + "?status__exact=PENDING"
        )
    if user.has_perm("backoffice.run_jobs"):
        panels["jobs_url"] = reverse("admin:backoffice_run_job")
    return panels

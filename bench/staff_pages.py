"""Response times of the staff pages on the bench database (`wallet_bench --preload`).

    DATABASE_URL=... python -m bench.staff_pages [--repeat 3] [--user-id p0000042]

Logged in as a superuser through Django's test client (the whole request: middleware, admin,
templates, queries; no network), in production settings as the benchmark runs them: every
admin changelist, a search by user id and a date filter on the big ones, the dashboard
(/admin/), a player's page, the reconciliation page of the busiest day. Prints the median of
`--repeat` loads after one warm-up, the part of it spent in SQL (the rest is Python: on a
loaded machine the CPU left to the process), the number of queries and the HTTP status
(anything but 200 is a failure).
Target (issue 13): at most 500 ms each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--user-id", default="p0000042")
    parser.add_argument("--date", help="YYYY-MM-DD: the date filters' day (default: 2 days ago)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")
    import django

    django.setup()
    from django.conf import settings

    # the hashed names of collected static files are not needed to time a page
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from platform_wallet.models import Player
    from reporting.models import Reconciliation

    user, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    day = dt.date.fromisoformat(args.date) if args.date else dt.date.today() - dt.timedelta(days=2)
    date_filter = f"created_at__date__gte={day}&created_at__date__lte={day}"

    pages: list[tuple[str, str]] = [("dashboard", reverse("admin:index"))]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        meta = model._meta
        pages.append(
            (
                f"{meta.label_lower} list",
                reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            )
        )
    big = {
        "platform_wallet.transaction": ("q", "user", "date"),
        "platform_wallet.round": ("q", "date"),
        "platform_wallet.ledgerentry": ("q", "date"),
        "platform_wallet.apierrorlog": ("q", "date"),
        "platform_wallet.player": ("q",),
        "platform_wallet.gamesession": ("q",),
    }
    for label, variants in big.items():
        app_label, model_name = label.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        for variant in variants:
            if variant == "q":
                pages.append((f"{label} search user id", f"{url}?q={args.user_id}"))
            elif variant == "user":
                pages.append((f"{label} filter user id", f"{url}?user={args.user_id}"))
            else:
                pages.append((f"{label} filter date", f"{url}?{date_filter}"))
    player = Player.objects.filter(user_id=args.user_id).first()
    if player is not None:
        pages.append(
            ("player page", reverse("admin:platform_wallet_player_change", args=[player.pk]))
        )
    reconciliation = Reconciliation.objects.order_by("-line_count", "-date").first()
    if reconciliation is not None:
        pages.append(
            (
                f"reconciliation page {reconciliation.date}",
                reverse("admin:reporting_reconciliation_change", args=[reconciliation.pk]),
            )
        )

    slow = 0
    print(f"  {'page':<52} {'total':>8}     {'in SQL':>6}  queries")
    for name, url in pages:
        timings, in_sql = [], []
        status, queries = 0, 0
        for attempt in range(args.repeat + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                elapsed = time.perf_counter() - started
            status = response.status_code
            if attempt:
                timings.append(elapsed)
                in_sql.append(sum(float(q["time"]) for q in captured.captured_queries))
                queries = len(captured)
        ms, sql_ms = statistics.median(timings) * 1000, statistics.median(in_sql) * 1000
        flag = "" if status == 200 and ms <= 500 else "  <-- over 500 ms or not 200"
        slow += bool(flag)
        print(
            f"  {name:<52} {ms:8.0f} ms  {sql_ms:6.0f} ms  {queries:3d}  HTTP {status}{flag}",
            flush=True,
        )
    print(f"  {len(pages)} pages, {slow} over 500 ms or failed")
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()

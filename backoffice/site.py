"""The backoffice's admin site: django-unfold's, with the sections in the order staff use them
(players and their play first, the framework's own last) rather than alphabetically. Installed
as `django.contrib.admin.site` by `backoffice.apps.ThemeConfig`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from unfold.sites import UnfoldAdminSite

# App labels in sidebar order; an app not named here (a new one) follows them, by name.
APP_ORDER = [
    "platform_wallet",
    "backoffice",
    "reporting",
    "catalog",
    "operators",
    "audit",
    "django_celery_beat",
    "auth",
]


class BackofficeAdminSite(UnfoldAdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        order = {label: index for index, label in enumerate(APP_ORDER)}
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: (order.get(app["app_label"], len(order)), app["name"]))

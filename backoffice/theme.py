"""The backoffice's theme as an app: django-unfold (its templates and static files) with the
backoffice's admin site. A module of its own: an apps module that imported unfold's default
AppConfig would make it the backoffice's."""

from unfold.apps import DefaultAppConfig


class ThemeConfig(DefaultAppConfig):
    """django-unfold (its templates and static files), with the backoffice's admin site
    (`backoffice.site`) as `django.contrib.admin.site`. Listed in INSTALLED_APPS in place of
    "unfold", before django.contrib.admin."""

    default = False

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.admin import sites

        from backoffice.site import BackofficeAdminSite

        site = BackofficeAdminSite()
        admin.site = site
        sites.site = site

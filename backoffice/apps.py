from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Backoffice"

    def ready(self) -> None:
        from django.contrib import admin

        from backoffice import checks  # noqa: F401 - registers the settings checks

        admin.site.site_header = "Casino backoffice"
        admin.site.site_title = "Casino backoffice"
        admin.site.index_title = "Dashboard"

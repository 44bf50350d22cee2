from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "operators"
    verbose_name = "Operator accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from operators import checks  # noqa: F401  (registers the deploy checks)

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations (health, metrics, logs, rate limits)"

    def ready(self) -> None:
        from ops import checks  # noqa: F401  (registers the deploy checks)

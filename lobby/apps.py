from django.apps import AppConfig


class LobbyConfig(AppConfig):
    name = "lobby"
    verbose_name = "Player lobby"

    def ready(self) -> None:
        from lobby import signals  # noqa: F401 - connects the logout receiver

from django.apps import AppConfig


class PlatformWalletConfig(AppConfig):
    name = "platform_wallet"
    verbose_name = "Wallet (gameplay API)"

    def ready(self) -> None:
        from platform_wallet import checks  # noqa: F401  (registers the deploy checks)

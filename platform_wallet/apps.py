from django.apps import AppConfig


class PlatformWalletConfig(AppConfig):
    name = "platform_wallet"
    verbose_name = "Wallet (gameplay API)"

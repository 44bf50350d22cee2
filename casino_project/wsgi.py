"""WSGI entry point (`casino-web` serves `casino_project.wsgi:application`).

The gameplay API's calls are answered by `platform_wallet.wsgi.WalletFront` in front of Django
(the only way in for the PLATFORM); every other request goes to Django. There is no ASGI entry
point: nothing here needs one, and the wallet's front is WSGI.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")

django_application = get_wsgi_application()

from operators.accounts import operator_accounts_warm  # noqa: E402 (needs the settings)
from platform_wallet.wsgi import WalletFront  # noqa: E402

application = WalletFront(django_application)

if os.environ.get("CASINO_WEB_WORKER") == "1":  # a worker of casino-web, loading the app
    # Read the operator accounts before the first call, so that the worker can answer signed
    # errors if the database goes away later (it tries for up to 10 s, then serves anyway).
    operator_accounts_warm()
    # The loading thread serves no calls: its pooled connection goes back now, or it would
    # hold one of the places the serving threads keep theirs in.
    connections.close_all()

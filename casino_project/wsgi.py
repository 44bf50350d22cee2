"""WSGI entry point (`gunicorn casino_project.wsgi`).

The gameplay API's calls are answered by `platform_wallet.wsgi.WalletFront` in front of Django
(the only way in for the PLATFORM); every other request goes to Django. There is no ASGI entry
point: nothing here needs one, and the wallet's front is WSGI.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")

django_application = get_wsgi_application()

from platform_wallet.wsgi import WalletFront  # noqa: E402 (needs the settings)

application = WalletFront(django_application)

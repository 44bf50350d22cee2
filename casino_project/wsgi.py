"""WSGI entry point (`gunicorn casino_project.wsgi`).

Gameplay API calls are answered by `platform_wallet.wsgi.DirectWalletApi` in front of Django
(the same code as the Django views, without the middleware and URL machinery the PLATFORM's
calls do not need); every other request goes to Django. WALLET_DIRECT_WSGI=false sends
everything through Django.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")

django_application = get_wsgi_application()

from platform_wallet.wsgi import DirectWalletApi, WSGIApp  # noqa: E402 (needs the settings)

application: WSGIApp = (
    DirectWalletApi(django_application) if settings.WALLET_DIRECT_WSGI else django_application
)

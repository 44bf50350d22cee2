"""The gameplay API endpoints the PLATFORM calls, as Django views (spec: Gameplay API).

In production gunicorn hands these calls to `platform_wallet.wsgi` before Django's request
machinery; these views serve them wherever Django does (the test Client, another WSGI or ASGI
mount). Both call `platform_wallet.api.serve_call`, which does all the work.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from platform_wallet import api


@csrf_exempt
def gameplay_endpoint(request: HttpRequest, command: str) -> HttpResponse:
    answer = api.serve_call(
        command, method=request.method or "", meta=request.META, read_body=lambda: request.body
    )
    response = HttpResponse(
        answer.body, status=answer.status_code, content_type=answer.content_type
    )
    # For the metrics and log middleware: what this call was and how it was answered.
    response.wallet_call = answer.call  # type: ignore[attr-defined]
    response.wallet_refusal = answer.refusal  # type: ignore[attr-defined]
    return response


def ping(request: HttpRequest) -> HttpResponse:
    """GET /ping: connectivity check; always 200 PONG."""
    return HttpResponse(api.PONG, content_type=api.TEXT_CONTENT_TYPE)

"""The OpenAPI 3 schema of the gameplay API, served from the copy kept in the repository."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

WALLET_SCHEMA_PATH = Path("docs") / "openapi" / "wallet.yaml"


@lru_cache(maxsize=1)
def _wallet_schema() -> bytes | None:
    path = Path(settings.BASE_DIR) / WALLET_SCHEMA_PATH
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@require_safe
def wallet_openapi(request: HttpRequest) -> HttpResponse:
    """GET /api/schema/wallet.yaml: docs/openapi/wallet.yaml as it is in the repository."""
    schema = _wallet_schema()
    if schema is None:
        raise Http404("The wallet API schema is not installed")
    return HttpResponse(schema, content_type="application/yaml; charset=utf-8")

"""Error pages: 403, 404, 429 and 500 in the players' look, or in the admin's under /admin/.

    error_page(request, status, **context)  the page of `status` for the request's path
    permission_denied / page_not_found / server_error   Django's handler403/404/500
                                            (casino_project.urls)
    csrf_failure                            CSRF_FAILURE_VIEW: the 403 page

Players get `templates/<status>.html` (the lobby's look, a way back to the lobby); staff, on a
path under the admin, get `templates/admin/errors/<status>.html` (extending
"admin/base_site.html", whatever theme it has, with a way back to the admin index). They are
used with DEBUG off; with DEBUG on Django shows its technical pages instead.

A 500 is rendered without the request's context processors and without the database (what
failed may be the database); the others with the request (no query is made for it).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

TITLES = {
    403: "Access denied",
    404: "Page not found",
    429: "Too many requests",
    500: "Something went wrong",
}


def _admin_prefix() -> str:
    with contextlib.suppress(NoReverseMatch):
        return reverse("admin:index")
    return "/admin/"


def error_template(path: str, status: int) -> str:
    """The template of an error page: the admin's under the admin's URL, else the players'."""
    if path.startswith(_admin_prefix()):
        return f"admin/errors/{status}.html"
    return f"{status}.html"


def _admin_context(request: HttpRequest | None) -> dict[str, Any]:
    """The admin's page context (its header, navigation, the user's tools: whatever the
    admin's theme needs) for a logged-in staff member; its names alone otherwise (a visitor,
    a 500, a 429 before the session is read)."""
    names = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}
    if request is None or not hasattr(request, "user") or not admin.site.has_permission(request):
        return names
    try:
        return {**names, **admin.site.each_context(request)}
    except Exception:  # an error page must not fail: the names alone
        logger.warning("the admin's context for an error page failed", exc_info=True)
        return names


def error_page(
    request: HttpRequest, status: int, *, with_request: bool = True, **context: Any
) -> HttpResponse:
    """The error page of `status` for `request` (see module)."""
    name = error_template(request.path, status)
    values = {"status": status, "title": TITLES.get(status, "Error"), **context}
    if name.startswith("admin/"):
        values = {**_admin_context(request if with_request else None), **values}
    template = loader.get_template(name)
    body = template.render(values, request if with_request else None)
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted without its token (often an expired page)."""
    logger.warning("CSRF check failed: %s %s (%s)", request.method, request.path, reason)
    return error_page(request, 403, csrf_failed=True)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return error_page(request, 500, with_request=False)
    except Exception:  # the page itself failed: a plain answer rather than nothing
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(
            "Something went wrong.", status=500, content_type="text/plain; charset=utf-8"
        )

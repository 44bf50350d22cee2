"""The project's URLs plus views that fail, for the error-page tests (ROOT_URLCONF)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from casino_project import urls as project_urls
from casino_project.urls import handler403, handler404, handler500  # noqa: F401 - the handlers


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("gone")


urlpatterns = [
    path("boom/", fails),
    path("forbidden/", refuses),
    path("admin/boom/", fails),
    path("admin/forbidden/", refuses),
    path("admin/missing/", missing),
    *project_urls.urlpatterns,
]

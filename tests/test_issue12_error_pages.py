"""Issue 12: styled error pages 403, 404, 429 and 500 with a way back, in the players' look
(the lobby's base) and, under /admin/, in the admin's (admin/base_site.html), with DEBUG off;
the rate limiter's 429 uses them too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.error_urls"),
]


def client() -> Client:
    return Client(raise_request_exception=False)


def assert_player_page(response: Any, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-testid="error-page" data-status="{status}"' in html
    assert "lobby/lobby.css" in html  # the lobby's look
    assert 'href="/" data-testid="error-back">Back to the lobby' in html
    assert "django" not in html.lower()
    return html


def assert_staff_page(response: Any, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-testid="error-page" data-status="{status}"' in html
    assert 'href="/admin/" data-testid="error-back">Back to the admin index' in html
    assert "admin/css/base.css" in html or "unfold" in html  # the admin's look
    return html


@override_settings(DEBUG=False)
def test_issue12_player_404_403_500_pages() -> None:
    assert "Page not found" in assert_player_page(client().get("/no-such-page/"), 404)
    assert "Access denied" in assert_player_page(client().get("/forbidden/"), 403)
    html = assert_player_page(client().get("/boom/"), 500)
    assert "Something went wrong" in html and "a bug" not in html


@override_settings(DEBUG=False)
def test_issue12_staff_404_403_500_pages_under_admin() -> None:
    assert "Page not found" in assert_staff_page(client().get("/admin/missing/"), 404)
    assert "Access denied" in assert_staff_page(client().get("/admin/forbidden/"), 403)
    html = assert_staff_page(client().get("/admin/boom/"), 500)
    assert "a bug" not in html


@override_settings(DEBUG=False)
def test_issue12_player_429_from_the_rate_limiter(settings: Any) -> None:
    settings.RATE_LIMIT_PAGES = (1, 60)
    visitor = client()
    visitor.get("/accounts/login/")
    refused = visitor.get("/accounts/login/")
    html = assert_player_page(refused, 429)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert f"wait {refused['Retry-After']} second" in html


@override_settings(DEBUG=False)
def test_issue12_staff_429_from_the_admin_login_limit(settings: Any) -> None:
    settings.RATE_LIMIT_LOGIN = (1, 60)
    staff = client()
    attempt = {"username": "nobody", "password": "wrong"}
    staff.post("/admin/login/", attempt)
    refused = staff.post("/admin/login/", attempt)
    html = assert_staff_page(refused, 429)
    assert "Too many" in html


@override_settings(DEBUG=False)
def test_issue12_csrf_failure_is_the_styled_403(player: Any, wallet: Any) -> None:
    from tests.lobby_fixtures import login_for

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(login_for(player, "john"))
    html = assert_player_page(browser.post("/currency/", {"currency": "EUR"}), 403)
    assert "security token" in html
    staff = Client(enforce_csrf_checks=True)
    html = assert_staff_page(staff.post("/admin/login/", {"username": "x", "password": "y"}), 403)
    assert "security token" in html

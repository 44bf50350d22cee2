# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 10, item 1: production fails closed on the operators' IP allow-lists.

The spec's signatures do not cover `data` (X-Authorization = sha1(command + secret), the body
hash covers command + request_timestamp): a captured request lets anyone send any data. In
production (WALLET_REQUIRE_IP_ALLOWLIST, derived from DEBUG off) an operator without an
allow-list is refused with HTTP 403 unless its account opts out explicitly
(`allow_any_address`, a private link); the opt-out is visible in the admin. Production
behaviour is tested with override_settings (the tests run with DJANGO_DEBUG=true).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from operators.accounts import (
    OperatorAccount,
    operator_account,
    operator_cache_clear,
)
from operators.models import Operator
from operators.services import AccountRefused, operator_upsert
from tests.admin_fixtures import super_client, superuser  # noqa: F401 - fixtures
from tests.wallet_client import WalletClient

pytestmark = pytest.mark.django_db

PRODUCTION = override_settings(WALLET_REQUIRE_IP_ALLOWLIST=True)
BALANCE = {"user_id": "611", "currency_code": "EUR", "token": "x" * 40}


def _set(operator: Operator, **fields: object) -> None:
    Operator.objects.filter(pk=operator.pk).update(**fields)
    operator_cache_clear()


def test_issue10_the_setting_is_derived_from_debug_not_from_the_environment() -> None:
    from django.conf import settings

    # the tests run with DJANGO_DEBUG=true: development does not require an allow-list
    assert settings.WALLET_REQUIRE_IP_ALLOWLIST is False
    from tests.test_safe_defaults import _settings_value

    production = {"DJANGO_SECRET_KEY": "k" * 50, "WALLET_REQUIRE_IP_ALLOWLIST": "false"}
    assert _settings_value("WALLET_REQUIRE_IP_ALLOWLIST", **production) == "True"
    assert _settings_value("WALLET_REQUIRE_IP_ALLOWLIST", DJANGO_DEBUG="true") == "False"


@PRODUCTION
def test_issue10_production_refuses_an_operator_without_allow_list_with_403(
    api: WalletClient, operator: Operator, player
) -> None:
    assert operator.allowed_ips == "" and not operator.allow_any_address
    assert api.call("balance", BALANCE).http_status == 403


def test_issue10_development_accepts_an_operator_without_allow_list(
    api: WalletClient, player
) -> None:
    assert api.call("balance", BALANCE).http_status == 200


@PRODUCTION
def test_issue10_the_explicit_opt_out_accepts_any_address(
    api: WalletClient, operator: Operator, player
) -> None:
    _set(operator, allow_any_address=True)
    assert api.call("balance", BALANCE).http_status == 200


@PRODUCTION
def test_issue10_production_accepts_callers_on_the_allow_list_only(
    api: WalletClient, operator: Operator, player
) -> None:
    _set(operator, allowed_ips="192.0.2.0/24, 127.0.0.1")  # the test transport's address
    assert api.call("balance", BALANCE).http_status == 200
    _set(operator, allowed_ips="192.0.2.0/24")
    assert api.call("balance", BALANCE).http_status == 403


def test_issue10_an_allow_list_that_does_not_parse_refuses_everyone_never_500(
    api: WalletClient, operator: Operator, player
) -> None:
    """Stored around the validation (a bad row): every call is refused, not answered 500 and
    not opened to every address."""
    _set(operator, allowed_ips="127.0.0.1, not-an-address")
    assert api.call("balance", BALANCE).http_status == 403


def test_issue10_operator_account_repr_keeps_the_secret_out() -> None:
    account = OperatorAccount(1, "op", "very-secret-key-123")
    assert "very-secret-key-123" not in repr(account)


# --- create_operator --------------------------------------------------------------------------
def run(*args: str) -> str:
    out = StringIO()
    call_command("create_operator", *args, stdout=out)
    return out.getvalue()


def test_issue10_create_operator_stores_addresses_and_networks() -> None:
    out = run(
        "op1", "--secret-key", "s1", "--allowed-ips", "192.0.2.7, 198.51.100.0/24,2001:db8::/32"
    )
    operator = Operator.objects.get(operator_id="op1")
    assert operator.allowed_ips == "192.0.2.7, 198.51.100.0/24,2001:db8::/32"
    assert not operator.allow_any_address
    assert "no IP allow-list" not in out
    account = operator_account("op1")
    assert account is not None
    assert account.allows("198.51.100.9", require_allowlist=True)
    assert account.allows("2001:db8::1", require_allowlist=True)
    assert not account.allows("203.0.113.1", require_allowlist=True)


@pytest.mark.parametrize("garbage", ["10.0.0.0/33", "not-an-ip", "192.0.2.1;rm", "300.1.1.1"])
def test_issue10_create_operator_refuses_a_malformed_allow_list(garbage: str) -> None:
    with pytest.raises(CommandError, match="is not an IP address or network"):
        run("op1", "--secret-key", "s1", "--allowed-ips", f"192.0.2.1,{garbage}")
    assert not Operator.objects.filter(operator_id="op1").exists()


def test_issue10_create_operator_opt_out_is_explicit_and_said() -> None:
    out = run("op1", "--secret-key", "s1", "--allow-any-address")
    assert "any address" in out
    assert Operator.objects.get(operator_id="op1").allow_any_address
    # an allow-list and the opt-out exclude each other
    with pytest.raises(CommandError, match="exclude each other"):
        run("op1", "--secret-key", "s1", "--allowed-ips", "192.0.2.1")
    run("op1", "--secret-key", "s1", "--allowed-ips", "192.0.2.1", "--no-allow-any-address")
    operator = Operator.objects.get(operator_id="op1")
    assert operator.allowed_ips == "192.0.2.1" and not operator.allow_any_address


def test_issue10_create_operator_warns_when_production_would_refuse_it() -> None:
    assert "no IP allow-list" in run("op1", "--secret-key", "s1")


@pytest.mark.parametrize(
    "url",
    ["api-host.com", "ftp://api-host.com", "https://", "https:///path", "//api-host.com", "x"],
)
def test_issue10_create_operator_refuses_a_malformed_platform_host(url: str) -> None:
    for option in ("--api-host", "--launch-host"):
        with pytest.raises(CommandError, match="absolute http"):
            run("op1", "--secret-key", "s1", option, url)
    assert not Operator.objects.filter(operator_id="op1").exists()


def test_issue10_platform_hosts_are_https_in_production_http_in_development() -> None:
    run("op1", "--secret-key", "s1", "--api-host", "http://127.0.0.1:8001")  # the demo's
    with override_settings(PLATFORM_HOSTS_REQUIRE_HTTPS=True):
        with pytest.raises(CommandError, match="https"):
            run("op1", "--secret-key", "s1", "--api-host", "http://api-host.com")
        with pytest.raises(AccountRefused, match="https"):
            operator_upsert(operator_id="op1", secret_key="s1", launch_host="http://games.example")
        run("op1", "--secret-key", "s1", "--api-host", "https://api-host.com/")
    assert Operator.objects.get(operator_id="op1").api_host == "https://api-host.com"


# --- admin ----------------------------------------------------------------------------------
def test_issue10_admin_shows_the_opt_out_and_a_missing_allow_list_as_warnings(
    super_client: Client, operator: Operator
) -> None:
    other = Operator.objects.create(operator_id="private", secret_key="s" * 12)
    listed = Operator.objects.create(operator_id="listed", secret_key="s" * 12)
    _set(other, allow_any_address=True)
    _set(listed, allowed_ips="192.0.2.1")
    html = super_client.get("/admin/operators/operator/").content.decode()
    assert "⚠ any address (opt-out)" in html
    assert "⚠ no allow-list: refused in production" in html  # examplecasino
    assert html.count("⚠") == 2
    page = super_client.get(f"/admin/operators/operator/{other.pk}/change/")
    assert "accepts gameplay calls from ANY address" in page.content.decode()
    page = super_client.get(f"/admin/operators/operator/{operator.pk}/change/")
    assert "has no IP allow-list" in page.content.decode()
    page = super_client.get(f"/admin/operators/operator/{listed.pk}/change/")
    assert "ANY address" not in page.content.decode()
    assert "has no IP allow-list" not in page.content.decode()


def test_issue10_admin_form_checks_allow_list_opt_out_and_hosts(
    super_client: Client, operator: Operator
) -> None:
    url = f"/admin/operators/operator/{operator.pk}/change/"
    data = {
        "name": "Example",
        "api_host": "https://api.example.test",
        "launch_host": "https://games.example.test",
        "is_active": "on",
        "allowed_ips": "192.0.2.1",
        "allow_any_address": "on",
    }
    response = super_client.post(url, data)
    assert response.status_code == 200 and "exclude each other" in response.content.decode()
    response = super_client.post(url, {**data, "allow_any_address": "", "allowed_ips": "bad"})
    assert response.status_code == 200 and "Not an IP address" in response.content.decode()
    with override_settings(PLATFORM_HOSTS_REQUIRE_HTTPS=True):
        response = super_client.post(
            url, {**data, "allow_any_address": "", "api_host": "http://api.example.test"}
        )
    assert response.status_code == 200 and "https://" in response.content.decode()
    operator.refresh_from_db()
    assert operator.allowed_ips == "" and not operator.allow_any_address
    response = super_client.post(url, {**data, "allow_any_address": ""})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.allowed_ips == "192.0.2.1"

# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 12, Players: vendors have display names (defaults for known vendors from the data
migration and the catalog sync, editable in the admin); the lobby shows them and its search
matches them ("play'n" finds Play'n GO games)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from catalog import selectors as catalog_selectors
from catalog.models import Game, Vendor
from catalog.services import catalog_apply
from catalog.vendor_names import default_vendor_name
from operators.models import Operator
from platform_client import PlatformGame, PlatformLobby
from tests.admin_fixtures import STAFF_PASSWORD, superuser  # noqa: F401 - fixtures
from tests.lobby_fixtures import game_make


def platform_game(game_id: int, vendor: str, title: str = "A Game") -> PlatformGame:
    return PlatformGame(
        id=game_id,
        title=title,
        vendor=vendor,
        type="slots",
        platform="desktop",
        enabled=True,
        fun_mode=False,
        campaigns=False,
        created_at=None,
    )


@pytest.mark.django_db
def test_issue12_data_migration_names_the_known_vendors() -> None:
    names = dict(Vendor.objects.values_list("code", "name"))
    assert names["playngo"] == "Play'n GO"
    assert names["netent"] == "NetEnt"
    assert names["redtiger"] == "Red Tiger"
    assert names["pragmatic"] == "Pragmatic Play"
    assert names["evolution"] == "Evolution"


def test_issue12_default_name_of_an_unknown_code() -> None:
    assert default_vendor_name("playngo") == "Play'n GO"
    assert default_vendor_name("new_vendor") == "New Vendor"
    assert default_vendor_name("acme-games") == "Acme Games"


def test_issue12_catalog_sync_adds_new_codes_and_keeps_edited_names(operator: Operator) -> None:
    Vendor.objects.filter(code="netent").update(name="NetEnt (edited)")
    catalog_apply(
        operator=operator,
        games=[platform_game(1, "netent"), platform_game(2, "brand_new_studio")],
        lobbies=[PlatformLobby(lobby_id="fresh_lobby", vendor="lobbyco")],
    )
    names = dict(Vendor.objects.values_list("code", "name"))
    assert names["brand_new_studio"] == "Brand New Studio"
    assert names["lobbyco"] == "Lobbyco"
    assert names["netent"] == "NetEnt (edited)"
    assert catalog_selectors.vendor_name("brand_new_studio") == "Brand New Studio"


def _vendors_shown(page: str) -> dict[str, str]:
    """game id -> the vendor its card shows."""
    cards = re.findall(r'data-game-id="(\d+)".*?<p class="card-meta">(.*?)</p>', page, re.S)
    return {game_id: html.unescape(meta).split(" · ")[0].strip() for game_id, meta in cards}


def test_issue12_lobby_shows_vendor_names_and_search_matches_them(
    client: Client, operator: Operator
) -> None:
    game_make(operator, 10, "Book of Dead", vendor="playngo")
    game_make(operator, 11, "Starburst", vendor="netent")
    game_make(operator, 12, "Gonzo", vendor="brand_x")  # no Vendor row: its default name

    page = client.get("/").content.decode()
    assert _vendors_shown(page) == {"10": "Play'n GO", "11": "NetEnt", "12": "Brand X"}
    assert '<option value="playngo">Play&#x27;n GO</option>' in page

    found = client.get("/", {"q": "play'n"}).content.decode()
    assert re.findall(r'data-game-id="(\d+)"', found) == ["10"]
    assert client.get("/", {"q": "PLAY'N go"}).content.decode().count('data-game-id="') == 1
    assert re.findall(
        r'data-game-id="(\d+)"', client.get("/", {"q": "netent"}).content.decode()
    ) == ["11"]


def test_issue12_vendor_name_edited_in_the_admin_shows_in_the_lobby(
    client: Client, operator: Operator, superuser: User
) -> None:
    game_make(operator, 10, "Book of Dead", vendor="playngo")
    vendor = Vendor.objects.get(code="playngo")
    staff = Client()
    staff.login(username=superuser.username, password=STAFF_PASSWORD)
    assert staff.get("/admin/catalog/vendor/").status_code == 200
    response = staff.post(
        f"/admin/catalog/vendor/{vendor.pk}/change/", {"name": "Play'n GO Studios"}
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.code == "playngo" and vendor.name == "Play'n GO Studios"
    assert "Play&#x27;n GO Studios" in client.get("/").content.decode()
    assert Game.objects.get(game_id=10).vendor == "playngo"  # games keep the code

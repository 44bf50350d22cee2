"""The launch URL builder (spec: "Game launch URL / Lobby launch URL", "Game in REAL mode",
"Game in FUN/DEMO mode", "Player game session token"), and the opening, device and language
rules. Pure functions: no database."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from lobby.launch import (
    LaunchParameterError,
    LaunchParameters,
    Opening,
    accept_language_tags,
    device_detect,
    language_canonical,
    language_choose,
    launch_opening,
    launch_url_build,
)
from lobby.selectors import description, thumbnail_url

TOKEN = "IfpdCsglTNR4xuFH0ijZ"  # the spec's example token: 20 characters
REAL = LaunchParameters(
    launch_host="https://GAME_LAUNCH_HOST",
    mode="real",
    operator_id="examplecasino",
    game_id=37,
    token=TOKEN,
    currency="EUR",
    language="en",
    home_url="https://api-host.com/generic/games",
)
FUN = LaunchParameters(
    launch_host="https://GAME_LAUNCH_HOST",
    mode="fun",
    operator_id="examplecasino",
    game_id=37,
    language="en",
)


def query(url: str) -> dict[str, str]:
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert len(pairs) == len({k for k, _ in pairs}), f"a parameter is repeated in {url}"
    return dict(pairs)


def refused(params: LaunchParameters) -> LaunchParameterError:
    with pytest.raises(LaunchParameterError) as caught:
        launch_url_build(params)
    return caught.value


# --- the spec's examples ----------------------------------------------------------------------
# The spec's examples are line-wrapped in our copy and lost a character at some breaks
# ("lan|uage", "IfpdCsglTNR4xuF|0ijZ", "generic%2F|ames"): restored here.

SPEC_REAL_GAME_EXAMPLE = (
    "https://GAME_LAUNCH_HOST/?operator_id=examplecasino&mode=real&game_id=37"
    "&token=IfpdCsglTNR4xuFH0ijZ&currency=EUR&language=en"
    "&home_url=https%3A%2F%2Fapi-host.com%2Fgeneric%2Fgames"
)
SPEC_REAL_LOBBY_EXAMPLE = (
    "https://GAME_LAUNCH_HOST/?operator_id=examplecasino&mode=real&lobby_id=portomaso"
    "&device=mobile&token=IfpdCsglTNR4xuFH0ijZ&currency=EUR&language=en"
    "&home_url=https%3A%2F%2Fapi-host.com%2Fgeneric%2Fgames"
)
SPEC_FUN_EXAMPLE = (
    "https://GAME_LAUNCH_HOST/?operator_id=examplecasino&mode=fun&game_id=37&language=en"
)


def test_spec_real_mode_game_launch_url_example() -> None:
    url = launch_url_build(REAL)
    assert url.startswith("https://GAME_LAUNCH_HOST/?")
    assert query(url) == query(SPEC_REAL_GAME_EXAMPLE)
    # URL-encoded exactly as the spec's example encodes home_url
    assert "home_url=https%3A%2F%2Fapi-host.com%2Fgeneric%2Fgames" in url


def test_spec_real_mode_lobby_launch_url_example() -> None:
    url = launch_url_build(replace(REAL, game_id=None, lobby_id="portomaso", device="mobile"))
    assert query(url) == query(SPEC_REAL_LOBBY_EXAMPLE)
    assert "game_id" not in query(url)


def test_spec_fun_mode_game_launch_url_example() -> None:
    url = launch_url_build(FUN)
    assert query(url) == query(SPEC_FUN_EXAMPLE)
    assert "token" not in query(url)


def test_spec_real_mode_parameters_follow_the_spec_template_order() -> None:
    url = launch_url_build(
        replace(
            REAL,
            deposit_url="https://casino.test/deposit",
            device="desktop",
            group="VIP1",
            client_name="brandA",
        )
    )
    assert [k for k, _ in parse_qsl(urlsplit(url).query)] == [
        "mode",
        "game_id",
        "token",
        "currency",
        "language",
        "operator_id",
        "home_url",
        "deposit_url",
        "device",
        "group",
        "clientName",
    ]


def test_spec_launch_host_keeps_its_path_and_gets_a_slash() -> None:
    assert launch_url_build(replace(REAL, launch_host="http://127.0.0.1:8001/launch/")).startswith(
        "http://127.0.0.1:8001/launch/?mode=real&"
    )
    assert launch_url_build(replace(REAL, launch_host="https://games.test")).startswith(
        "https://games.test/?mode=real&"
    )


@pytest.mark.parametrize(
    "host", ["", "games.test", "ftp://games.test/", "https://games.test/?a=1", "https://g.test/#x"]
)
def test_spec_launch_host_must_be_an_absolute_http_url(host: str) -> None:
    assert refused(replace(REAL, launch_host=host)).parameter == "GAME_LAUNCH_HOST"


# --- one parameter at a time --------------------------------------------------------------------


def test_spec_mode_is_real_or_fun() -> None:
    assert refused(replace(REAL, mode="demo")).parameter == "mode"
    assert refused(replace(REAL, mode="REAL")).parameter == "mode"


@pytest.mark.parametrize("game_id", [1, 37, 999_999])
def test_spec_game_id_int_6_accepted(game_id: int) -> None:
    assert query(launch_url_build(replace(REAL, game_id=game_id)))["game_id"] == str(game_id)


@pytest.mark.parametrize("game_id", [0, -1, 1_000_000, True, "37", 3.0])
def test_spec_game_id_int_6_refused(game_id: object) -> None:
    error = refused(replace(REAL, game_id=game_id))
    assert error.parameter == "game_id"


def test_spec_game_id_or_lobby_id_exactly_one() -> None:
    assert refused(replace(REAL, lobby_id="portomaso")).parameter == "game_id"
    assert refused(replace(REAL, game_id=None)).parameter == "game_id"


@pytest.mark.parametrize("lobby_id", ["", "a|b", "two words", "x" * 101, "tab\there"])
def test_spec_lobby_id_refused(lobby_id: str) -> None:
    assert refused(replace(REAL, game_id=None, lobby_id=lobby_id)).parameter == "lobby_id"


def test_spec_fun_mode_launches_games_not_lobbies() -> None:
    assert refused(replace(FUN, game_id=None, lobby_id="portomaso")).parameter == "lobby_id"


@pytest.mark.parametrize("token", ["a" * 20, "Z9" * 25, TOKEN])
def test_spec_token_20_to_50_alphanumerics_accepted(token: str) -> None:
    assert query(launch_url_build(replace(REAL, token=token)))["token"] == token


@pytest.mark.parametrize(
    "token",
    [
        "a" * 19,
        "a" * 51,
        "IfpdCsglTNR4xuFH0ij-",
        "IfpdCsglTNR4xuFH0ij|",
        "IfpdCsglTNR4xuFH0ij Z",
        "ä" * 20,
    ],
)
def test_spec_token_refused(token: str) -> None:
    assert refused(replace(REAL, token=token)).parameter == "token"


def test_spec_token_required_in_real_mode_and_absent_in_fun_mode() -> None:
    assert refused(replace(REAL, token=None)).parameter == "token"
    assert refused(replace(FUN, token=TOKEN)).parameter == "token"


@pytest.mark.parametrize("currency", ["EUR", "USDT", "BTC"])
def test_spec_currency_string_4_accepted(currency: str) -> None:
    assert query(launch_url_build(replace(REAL, currency=currency)))["currency"] == currency


@pytest.mark.parametrize("currency", ["", "EURUS", "eur", "E|R", "EU"])
def test_spec_currency_refused(currency: str) -> None:
    assert refused(replace(REAL, currency=currency)).parameter == "currency"


def test_spec_currency_required_in_real_mode_optional_in_fun_mode() -> None:
    assert refused(replace(REAL, currency=None)).parameter == "currency"
    assert query(launch_url_build(replace(FUN, currency="GBP")))["currency"] == "GBP"


@pytest.mark.parametrize("operator_id", ["", "x" * 21, "example|casino", "exam\nple"])
def test_spec_operator_id_string_20_refused(operator_id: str) -> None:
    assert refused(replace(REAL, operator_id=operator_id)).parameter == "operator_id"


def test_spec_operator_id_string_20_accepted() -> None:
    assert query(launch_url_build(replace(REAL, operator_id="o" * 20)))["operator_id"] == "o" * 20


@pytest.mark.parametrize(
    ("given", "sent"),
    [("en", "en"), ("en-US", "en-US"), ("en_us", "en-US"), ("DE", "de"), ("fil", "fil")],
)
def test_spec_language_ietf_tag_string_5(given: str, sent: str) -> None:
    assert query(launch_url_build(replace(REAL, language=given)))["language"] == sent


@pytest.mark.parametrize("language", ["english", "zh-Hant", "es-419", "e", "en-|S", "en US"])
def test_spec_language_refused(language: str) -> None:
    assert refused(replace(REAL, language=language)).parameter == "language"


def test_spec_language_english_by_default() -> None:
    assert query(launch_url_build(replace(REAL, language=None)))["language"] == "en"


def test_spec_home_url_is_url_encoded_and_round_trips() -> None:
    home = "https://casino.test/lobby/?tab=live&ref=ab"
    url = launch_url_build(
        replace(REAL, home_url=home, deposit_url="https://casino.test/pay?x=1&y=2")
    )
    parsed = query(url)
    assert parsed["home_url"] == home
    assert parsed["deposit_url"] == "https://casino.test/pay?x=1&y=2"
    assert "&y=2" not in url and "%26y%3D2" in url


def test_spec_home_url_and_deposit_url_string_500() -> None:
    ok = "https://casino.test/" + "a" * 480
    assert len(ok) == 500
    assert query(launch_url_build(replace(REAL, home_url=ok)))["home_url"] == ok
    assert refused(replace(REAL, home_url=ok + "a")).parameter == "home_url"
    assert refused(replace(REAL, deposit_url=ok + "a")).parameter == "deposit_url"


@pytest.mark.parametrize(
    "url",
    ["/lobby/", "javascript:alert(1)", "https://casino.test/a|b", "https://casino.test/a b", ""],
)
def test_spec_home_url_and_deposit_url_refused(url: str) -> None:
    assert refused(replace(REAL, home_url=url)).parameter == "home_url"
    assert refused(replace(REAL, deposit_url=url)).parameter == "deposit_url"


def test_spec_home_url_and_deposit_url_are_optional() -> None:
    parsed = query(launch_url_build(replace(REAL, home_url=None)))
    assert "home_url" not in parsed and "deposit_url" not in parsed


def test_spec_deposit_url_is_for_real_mode() -> None:
    assert refused(replace(FUN, deposit_url="https://casino.test/pay")).parameter == "deposit_url"


def test_spec_fun_mode_sends_home_url_and_lobby_url() -> None:
    parsed = query(
        launch_url_build(replace(FUN, home_url="https://c.test/", lobby_url="https://c.test/"))
    )
    assert parsed["home_url"] == parsed["lobby_url"] == "https://c.test/"
    assert refused(replace(FUN, lobby_url="c.test")).parameter == "lobby_url"


@pytest.mark.parametrize("device", ["desktop", "mobile"])
def test_spec_device_desktop_or_mobile(device: str) -> None:
    assert query(launch_url_build(replace(REAL, device=device)))["device"] == device


@pytest.mark.parametrize("device", ["tablet", "Mobile", ""])
def test_spec_device_refused(device: str) -> None:
    assert refused(replace(REAL, device=device)).parameter == "device"


def test_spec_group_alphanumeric_string_14() -> None:
    assert (
        query(launch_url_build(replace(REAL, group="VIP1" + "x" * 10)))["group"]
        == "VIP1" + "x" * 10
    )
    for bad in ["x" * 15, "VIP-1", "VIP 1", "VIP|1", "grüppe", ""]:
        assert refused(replace(REAL, group=bad)).parameter == "group", bad


def test_spec_client_name_string_14() -> None:
    parsed = query(launch_url_build(replace(REAL, client_name="Brand A-1.xyzw")))
    assert parsed["clientName"] == "Brand A-1.xyzw"
    for bad in ["x" * 15, "brand|a", ""]:
        assert refused(replace(REAL, client_name=bad)).parameter == "clientName", bad


def test_spec_optional_parameters_left_out_when_not_configured() -> None:
    parsed = query(launch_url_build(REAL))
    for name in ("deposit_url", "device", "group", "clientName", "lobby_id", "lobby_url"):
        assert name not in parsed


def test_launch_parameter_error_names_the_parameter() -> None:
    error = refused(replace(REAL, token="short"))
    assert error.parameter == "token"
    assert "token" in str(error) and "20" in str(error)


def test_no_string_parameter_may_contain_a_pipe() -> None:
    base = parse_qs(urlsplit(launch_url_build(REAL)).query)
    assert all("|" not in v for values in base.values() for v in values)


# --- opening rules, device, language ---------------------------------------------------------


def test_spec_opening_desktop_game_may_be_framed() -> None:
    assert launch_opening(device="desktop") is Opening.FRAME
    assert launch_opening(device="desktop", lobby_id="portomaso") is Opening.FRAME


def test_spec_opening_mobile_game_is_never_framed() -> None:
    assert launch_opening(device="mobile") is Opening.REDIRECT
    assert launch_opening(device="mobile", lobby_id="portomaso") is Opening.REDIRECT
    assert launch_opening(device="desktop", game_platform="mobile") is Opening.REDIRECT


def test_spec_opening_live168_lobby_opens_in_a_new_tab() -> None:
    assert launch_opening(device="desktop", lobby_id="live168") is Opening.NEW_TAB
    assert launch_opening(device="mobile", lobby_id="live168") is Opening.NEW_TAB


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)
DESKTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)


def test_device_detected_from_user_agent() -> None:
    assert device_detect(IPHONE) == "mobile"
    assert device_detect(ANDROID) == "mobile"
    assert device_detect(DESKTOP) == "desktop"
    assert device_detect("") == "desktop"


def test_language_canonical() -> None:
    assert language_canonical("pt_br") == "pt-BR"
    assert language_canonical("zh-Hant") is None
    assert language_canonical("1234") is None


def test_accept_language_tags_by_quality() -> None:
    assert accept_language_tags("fr;q=0.5, de-AT, en;q=0.8, *;q=0.1, it;q=0") == [
        "de-AT",
        "en",
        "fr",
    ]
    assert accept_language_tags("") == []


def test_spec_language_from_profile_then_browser_then_english() -> None:
    assert language_choose(profile_language="de-DE", accept_language="fr") == "de-DE"
    assert language_choose(profile_language="", accept_language="fr-CA,fr;q=0.9") == "fr-CA"
    assert language_choose(profile_language="", accept_language="zh-Hant-TW") == "zh"
    assert language_choose(profile_language="not a tag", accept_language="*") == "en"
    assert language_choose() == "en"


# --- pictures and descriptions of the catalog's details -----------------------------------------


def test_thumbnail_picks_the_smallest_at_least_300_wide() -> None:
    details = {
        "thumbnails": {
            "100x100": "https://m.test/100.png",
            "600x600": "https://m.test/600.png",
            "300x300": "https://m.test/300.png",
        }
    }
    assert thumbnail_url(details) == "https://m.test/300.png"
    assert thumbnail_url({"thumbnails": {"100x100": "https://m.test/100.png"}}) == (
        "https://m.test/100.png"
    )


def test_thumbnail_tolerates_odd_details() -> None:
    wrapped = {"thumbnails": {"300x300": "https://mediaapihost.com /359/evolution/300x300\n/a.png"}}
    assert thumbnail_url(wrapped) == "https://mediaapihost.com/359/evolution/300x300/a.png"
    assert thumbnail_url({"thumbnails": "https://m.test/a.png"}) == "https://m.test/a.png"
    assert thumbnail_url({"thumbnails": {"big": "javascript:alert(1)"}}) == ""
    assert thumbnail_url({"thumbnails": ["x"]}) == ""
    assert thumbnail_url({}) == "" and thumbnail_url(None) == ""


def test_description_in_the_players_language() -> None:
    details = {"description": {"en": "A dark knight rides a horse.", "ru": "Темный рыцарь."}}
    assert description(details, language="ru-RU") == "Темный рыцарь."
    assert description(details, language="de") == "A dark knight rides a horse."
    assert description({"description": "Plain text"}, language="de") == "Plain text"
    assert description({"description": 3}) == "" and description(None) == ""

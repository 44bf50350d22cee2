"""Game and lobby launch URLs (spec: "Game and lobby launch", "Player game session token").

Pure functions, no database: the URL builder checks every GET parameter against the spec's
table (type, length, characters) and raises `LaunchParameterError` naming the parameter, so
that a bad value is a clear error and never a broken URL. Also here: the opening rules (frame,
redirect or new tab), device detection from the User-Agent and the language choice.

Real mode::

    https://GAME_LAUNCH_HOST/?mode=real&game_id=..&token=..&currency=..&language=..
        &operator_id=..&home_url=..[&deposit_url=..][&device=..][&group=..][&clientName=..]

(`lobby_id` instead of `game_id` launches a lobby.) Fun/demo mode has no token and never
reaches our wallet: `mode=fun&game_id=..&currency=..&language=..&operator_id=..&home_url=..
&lobby_url=..&device=..`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

MODE_REAL = "real"
MODE_FUN = "fun"
MODES = (MODE_REAL, MODE_FUN)
DEVICE_DESKTOP = "desktop"
DEVICE_MOBILE = "mobile"
DEVICES = (DEVICE_DESKTOP, DEVICE_MOBILE)
DEFAULT_LANGUAGE = "en"

# Spec: "Lobbies list" notes. live168 only works when opened in a new tab.
NEW_TAB_LOBBIES = frozenset({"live168"})

# The spec's limits (GET parameters table).
GAME_ID_MAX = 999_999  # INT 6
TOKEN_MIN, TOKEN_MAX = 20, 50  # STRING 50, "minimum 20 characters", [A-Za-z0-9]
CURRENCY_MAX = 4  # STRING 4
OPERATOR_ID_MAX = 20  # STRING 20
LANGUAGE_MAX = 5  # STRING 5, IETF tag
URL_MAX = 500  # home_url, deposit_url: STRING 500
GROUP_MAX = 14  # ALPHANUMERIC STRING 14
CLIENT_NAME_MAX = 14  # STRING 14
LOBBY_ID_MAX = 100  # not limited by the spec; our catalog column

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_CURRENCY = re.compile(r"[A-Z0-9]{3,4}")
# An IETF tag that fits 5 characters: a 2-3 letter language, optionally a 2 letter or
# 3 digit region ("en", "en-US", "fil"); "_" is accepted on input and written as "-".
_LANGUAGE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|[0-9]{3}))?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MOBILE_UA = re.compile(
    r"Mobi|Android|iPhone|iPad|iPod|Opera Mini|IEMobile|BlackBerry|webOS|Windows Phone|Kindle|Silk",
    re.IGNORECASE,
)


class LaunchParameterError(ValueError):
    """A launch parameter does not satisfy the spec; `parameter` names it."""

    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        self.problem = problem
        super().__init__(f"Launch parameter {parameter!r}: {problem}")


class Opening(enum.StrEnum):
    """How the launch URL is shown (spec: "Game launch URL / Lobby launch URL")."""

    FRAME = "frame"  # inside an <iframe> on our play page (desktop only)
    REDIRECT = "redirect"  # the browser goes to the URL (mobile games: never a frame)
    NEW_TAB = "new_tab"  # a product that only works in its own tab (live168)


@dataclass(frozen=True)
class LaunchParameters:
    """Everything a launch URL carries, before checks. `None` leaves a parameter out."""

    launch_host: str
    mode: str
    operator_id: str
    game_id: int | None = None
    lobby_id: str | None = None
    token: str | None = None
    currency: str | None = None
    language: str | None = DEFAULT_LANGUAGE
    home_url: str | None = None
    deposit_url: str | None = None
    lobby_url: str | None = None
    device: str | None = None
    group: str | None = None
    client_name: str | None = None


# --- checks, one per parameter -----------------------------------------------------------------


def _string(name: str, value: object, *, max_length: int, min_length: int = 1) -> str:
    if not isinstance(value, str):
        raise LaunchParameterError(name, f"must be a string, not {type(value).__name__}")
    if len(value) < min_length:
        raise LaunchParameterError(
            name, "is required" if not value else f"is shorter than {min_length} characters"
        )
    if len(value) > max_length:
        raise LaunchParameterError(name, f"is longer than {max_length} characters")
    if "|" in value:  # spec, Important notes 5
        raise LaunchParameterError(name, "must not contain '|'")
    if _CONTROL.search(value):
        raise LaunchParameterError(name, "must not contain control characters")
    return value


def check_mode(value: object) -> str:
    mode = _string("mode", value, max_length=4)
    if mode not in MODES:
        raise LaunchParameterError("mode", "must be 'real' or 'fun'")
    return mode


def check_game_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LaunchParameterError("game_id", "must be an integer")
    if not 1 <= value <= GAME_ID_MAX:
        raise LaunchParameterError("game_id", f"must be between 1 and {GAME_ID_MAX} (INT 6)")
    return value


def check_lobby_id(value: object) -> str:
    lobby_id = _string("lobby_id", value, max_length=LOBBY_ID_MAX)
    if lobby_id != lobby_id.strip() or " " in lobby_id:
        raise LaunchParameterError("lobby_id", "must not contain spaces")
    return lobby_id


def check_token(value: object) -> str:
    token = _string("token", value, max_length=TOKEN_MAX, min_length=TOKEN_MIN)
    if not _TOKEN.fullmatch(token):
        raise LaunchParameterError("token", "must contain only the characters [A-Za-z0-9]")
    return token


def check_currency(value: object) -> str:
    currency = _string("currency", value, max_length=CURRENCY_MAX)
    if not _CURRENCY.fullmatch(currency):
        raise LaunchParameterError(
            "currency", "must be 3 or 4 upper-case letters or digits (ISO 4217)"
        )
    return currency


def check_operator_id(value: object) -> str:
    return _string("operator_id", value, max_length=OPERATOR_ID_MAX)


def check_language(value: object) -> str:
    """An IETF tag of at most 5 characters, written canonically: "en", "en-US", "es-419"
    does not fit. "en_us" is accepted and written "en-US"."""
    language = _string("language", value, max_length=LANGUAGE_MAX)
    canonical = language_canonical(language)
    if canonical is None:
        raise LaunchParameterError(
            "language", "must be an IETF language tag such as 'en' or 'en-US'"
        )
    return canonical


def check_url(name: str, value: object) -> str:
    url = _string(name, value, max_length=URL_MAX)
    if any(c.isspace() for c in url):
        raise LaunchParameterError(name, "must not contain spaces")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LaunchParameterError(name, "must be an absolute http(s) URL")
    return url


def check_device(value: object) -> str:
    device = _string("device", value, max_length=7)
    if device not in DEVICES:
        raise LaunchParameterError("device", "must be 'desktop' or 'mobile'")
    return device


def check_group(value: object) -> str:
    group = _string("group", value, max_length=GROUP_MAX)
    if not _ALPHANUMERIC.fullmatch(group):
        raise LaunchParameterError("group", "must be alphanumeric ([A-Za-z0-9])")
    return group


def check_client_name(value: object) -> str:
    return _string("clientName", value, max_length=CLIENT_NAME_MAX)


def check_launch_host(value: object) -> str:
    """GAME_LAUNCH_HOST, provided by the PLATFORM (Operator.launch_host)."""
    if not value:
        raise LaunchParameterError(
            "GAME_LAUNCH_HOST", "is not configured for this operator (Operator.launch_host)"
        )
    if not isinstance(value, str):
        raise LaunchParameterError("GAME_LAUNCH_HOST", "must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LaunchParameterError("GAME_LAUNCH_HOST", "must be an absolute http(s) URL")
    if parts.query or parts.fragment:
        raise LaunchParameterError("GAME_LAUNCH_HOST", "must not carry a query or fragment")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


# --- the builder ---------------------------------------------------------------------------------


def launch_query(params: LaunchParameters) -> list[tuple[str, str]]:
    """The checked GET parameters, in the spec's order. Raises `LaunchParameterError`."""
    mode = check_mode(params.mode)
    if (params.game_id is None) == (params.lobby_id is None):
        raise LaunchParameterError("game_id", "give exactly one of game_id and lobby_id")
    query: list[tuple[str, str]] = [("mode", mode)]
    if params.game_id is not None:
        query.append(("game_id", str(check_game_id(params.game_id))))
    else:
        if mode == MODE_FUN:
            raise LaunchParameterError("lobby_id", "fun mode launches games only (game_id)")
        query.append(("lobby_id", check_lobby_id(params.lobby_id)))
    if mode == MODE_REAL:
        if params.token is None:
            raise LaunchParameterError("token", "is required in real mode")
        query.append(("token", check_token(params.token)))
        if params.currency is None:
            raise LaunchParameterError("currency", "is required in real mode")
    elif params.token is not None:
        raise LaunchParameterError("token", "must not be sent in fun mode")
    if params.currency is not None:
        query.append(("currency", check_currency(params.currency)))
    # "If not provided, English will be set by default": we always send it.
    query.append(("language", check_language(params.language or DEFAULT_LANGUAGE)))
    query.append(("operator_id", check_operator_id(params.operator_id)))
    if params.home_url is not None:
        query.append(("home_url", check_url("home_url", params.home_url)))
    if params.lobby_url is not None:
        query.append(("lobby_url", check_url("lobby_url", params.lobby_url)))
    if params.deposit_url is not None:
        if mode == MODE_FUN:
            raise LaunchParameterError("deposit_url", "is for real mode only")
        query.append(("deposit_url", check_url("deposit_url", params.deposit_url)))
    if params.device is not None:
        query.append(("device", check_device(params.device)))
    if params.group is not None:
        query.append(("group", check_group(params.group)))
    if params.client_name is not None:
        query.append(("clientName", check_client_name(params.client_name)))
    return query


def launch_url_build(params: LaunchParameters) -> str:
    """The launch URL: GAME_LAUNCH_HOST with the checked, percent-encoded parameters."""
    base = check_launch_host(params.launch_host)
    return f"{base}?{urlencode(launch_query(params), quote_via=quote, safe='')}"


# --- opening rules, device and language -----------------------------------------------------------


def launch_opening(*, device: str, lobby_id: str | None = None, game_platform: str = "") -> Opening:
    """Where the launch URL opens.

    A lobby that only works in its own tab (live168) gets a new tab; a mobile launch (the
    player's device, or a game made for mobile only) is a redirect, never a frame; a desktop
    game may be framed in our play page.
    """
    if lobby_id is not None and lobby_id in NEW_TAB_LOBBIES:
        return Opening.NEW_TAB
    if device == DEVICE_MOBILE or game_platform.strip().lower() == DEVICE_MOBILE:
        return Opening.REDIRECT
    return Opening.FRAME


def device_detect(user_agent: str) -> str:
    """desktop or mobile, from the browser's User-Agent (phones and tablets are mobile)."""
    return DEVICE_MOBILE if _MOBILE_UA.search(user_agent or "") else DEVICE_DESKTOP


def language_canonical(tag: str) -> str | None:
    """ "en_us" -> "en-US"; None when the tag is no IETF tag that fits 5 characters."""
    match = _LANGUAGE.fullmatch(tag.strip())
    if match is None:
        return None
    language, region = match.group(1).lower(), match.group(2)
    canonical = language if region is None else f"{language}-{region.upper()}"
    return canonical if len(canonical) <= LANGUAGE_MAX else None


def accept_language_tags(header: str) -> list[str]:
    """The tags of an Accept-Language header, best first (q=0 dropped, '*' ignored)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def language_choose(*, profile_language: str = "", accept_language: str = "") -> str:
    """The launch language: the player's profile, else the browser's first usable
    Accept-Language tag (a tag too long for 5 characters falls back to its language,
    "zh-Hant-TW" -> "zh"), else English."""
    candidates: Iterable[str] = [profile_language, *accept_language_tags(accept_language)]
    for candidate in candidates:
        if not candidate:
            continue
        canonical = language_canonical(candidate)
        if canonical is None:
            canonical = language_canonical(re.split(r"[-_]", candidate.strip(), maxsplit=1)[0])
        if canonical is not None:
            return canonical
    return DEFAULT_LANGUAGE

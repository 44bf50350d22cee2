# ruff: noqa: RUF001 - Russian descriptions use Cyrillic letters on purpose
"""The simulated PLATFORM's catalog: a deterministic, realistic set of games and lobbies.

:func:`generate_games` always yields the same games (same ids, titles, flags) for the same
`count`, from a dozen vendors with their usual game types: a few are disabled (enabled 0), live
games have no fun mode, some support campaigns. Descriptions come in en/de/ru/es; thumbnails
point at the simulator's own SVG endpoint (``{media_base}/media/thumb/<game_id>.svg``) so they
render offline. :func:`game_vendor` answers the vendor of a generated game id, for the ledger
book and hand history.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

DEFAULT_GAME_COUNT = 320


@dataclass(frozen=True)
class Vendor:
    code: str
    name: str
    types: tuple[str, ...]  # game types, weighted by repetition
    colour: str
    weight: int = 2  # share of the catalog


VENDORS: tuple[Vendor, ...] = (
    Vendor("pragmatic", "Pragmatic Play", ("slots",) * 6 + ("live", "table"), "#1f6feb", 5),
    Vendor("netent", "NetEnt", ("slots",) * 5 + ("table",), "#2ea043", 3),
    Vendor("playngo", "Play'n GO", ("slots",) * 6 + ("table",), "#a371f7", 3),
    Vendor("evolution", "Evolution", ("live",) * 5 + ("game_show",), "#d29922", 3),
    Vendor("ezugi", "Ezugi", ("live",), "#db6d28", 1),
    Vendor("spribe", "Spribe", ("crash", "crash", "instant"), "#f85149", 1),
    Vendor("redtiger", "Red Tiger", ("slots",), "#cf222e"),
    Vendor("nolimit", "Nolimit City", ("slots",), "#57606a"),
    Vendor("hacksaw", "Hacksaw Gaming", ("slots",) * 4 + ("scratch",), "#0969da"),
    Vendor("bgaming", "BGaming", ("slots",) * 3 + ("table", "instant"), "#8250df"),
    Vendor("portomaso", "Portomaso Gaming", ("live",), "#116329", 1),
    Vendor("live168", "Live168", ("live",), "#953800", 1),
)
VENDOR_BY_CODE = {v.code: v for v in VENDORS}

_ADJECTIVES = (
    "Golden", "Mystic", "Wild", "Lucky", "Royal", "Ancient", "Frozen", "Burning", "Crystal",
    "Mega", "Sweet", "Dark", "Silver", "Thunder", "Jungle", "Cosmic", "Pirate", "Dragon's",
    "Viking", "Neon", "Emerald", "Fruit", "Diamond", "Samurai", "Aztec", "Wolf", "Pharaoh's",
    "Candy", "Shadow", "Starlight",
)  # fmt: skip
_NOUNS = (
    "Fortune", "Riches", "Treasure", "Quest", "Gems", "Kingdom", "Legends", "Spins", "Empire",
    "Nights", "Bonanza", "Megaways", "Hunt", "Gold", "Rush", "Wonders", "Storm", "Reels",
    "Vault", "Odyssey", "Dreams", "Temple", "Blast", "Island",
)  # fmt: skip
_LIVE = (
    "Roulette", "Blackjack", "Baccarat", "Speed Baccarat", "Lightning Roulette", "Sic Bo",
    "Dragon Tiger", "Casino Hold'em", "Auto Roulette", "Andar Bahar", "Teen Patti",
    "Fan Tan", "Three Card Poker",
)  # fmt: skip
_SHOWS = ("Dream Catcher", "Crazy Time", "Monopoly Live", "Deal or No Deal", "Mega Ball")
_TABLE = ("European Roulette", "Blackjack Classic", "Baccarat Pro", "Video Poker", "Craps")
_CRASH = ("Aviator", "JetX", "Mines", "Plinko", "Dice", "Goal", "Hi-Lo", "Keno", "Limbo")
_SCRATCH = ("Scratch Gold", "Scratch Gems", "Cash Scratch", "Lucky Scratch")

_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "slots": {
        "en": "{title}: a {lines}-line video slot with free spins and a {volatility} volatility.",
        "de": "{title}: ein Video-Slot mit {lines} Linien und Freispielen.",
        "ru": "{title}: видеослот на {lines} линий с бесплатными вращениями.",
        "es": "{title}: una tragamonedas de {lines} líneas con giros gratis.",
    },
    "live": {
        "en": "{title}: played live with a real dealer, streamed in HD.",
        "de": "{title}: live mit einem echten Dealer, in HD übertragen.",
        "ru": "{title}: игра с живым дилером в HD-трансляции.",
        "es": "{title}: en vivo con un crupier real, transmitido en HD.",
    },
    "other": {
        "en": "{title}: a fast {type} game with a provably fair outcome.",
        "de": "{title}: ein schnelles {type}-Spiel mit nachweislich fairem Ergebnis.",
        "ru": "{title}: быстрая игра ({type}) с доказуемо честным результатом.",
        "es": "{title}: un juego {type} rápido con resultado verificable.",
    },
}  # fmt: skip


def _title(rng: random.Random, game_type: str, used: set[str]) -> str:
    for attempt in range(200):
        if game_type in ("live", "game_show"):
            base = rng.choice(_SHOWS if game_type == "game_show" else _LIVE)
            title = base if attempt == 0 and base not in used else f"{base} {rng.randint(1, 40)}"
        elif game_type == "table":
            title = f"{rng.choice(_TABLE)} {rng.choice(('', 'Gold', 'Pro', 'VIP', 'Deluxe'))}"
        elif game_type in ("crash", "instant"):
            title = f"{rng.choice(_CRASH)} {rng.choice(('', 'X', '2', 'Turbo', 'Mini'))}"
        elif game_type == "scratch":
            title = rng.choice(_SCRATCH) + f" {rng.randint(1, 9)}"
        else:
            title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            if rng.random() < 0.2:
                title += rng.choice((" Deluxe", " 2", " Megaways", " Xmas", " 1000"))
        if attempt > 20:  # the word lists are exhausted for this type: number the title
            title += f" {rng.randint(2, 99)}"
        title = " ".join(title.split())
        if title not in used:
            used.add(title)
            return title
    raise RuntimeError("could not make a unique title")


@cache
def _base_games(count: int) -> tuple[dict[str, Any], ...]:
    """Games without their URLs (those depend on where the simulator is served)."""
    rng = random.Random(20240510)  # deterministic demo data
    used: set[str] = set()
    games = []
    start = dt.date(2018, 1, 1)
    for n in range(count):
        vendor = (
            VENDORS[n % len(VENDORS)]
            if n < len(VENDORS) * 2
            else rng.choices(VENDORS, weights=[v.weight for v in VENDORS])[0]
        )
        game_type = rng.choice(vendor.types)
        title = _title(rng, game_type, used)
        live = game_type in ("live", "game_show")
        lines = rng.choice((5, 10, 20, 25, 40, 243, 1024))
        volatility = rng.choice(("low", "medium", "high"))
        template = _DESCRIPTIONS["slots" if game_type == "slots" else "live" if live else "other"]
        description = {
            lang: text.format(title=title, lines=lines, volatility=volatility, type=game_type)
            for lang, text in template.items()
        }
        details: dict[str, Any] = {
            "description": description,
            "rtp": f"{rng.uniform(94.0, 97.5):.2f}",
            "min_bet": rng.choice(("0.10", "0.20", "0.50", "1.00")),
            "max_bet": rng.choice(("50.00", "100.00", "500.00", "1000.00")),
        }
        if game_type == "slots":
            details.update({"lines": lines, "volatility": volatility})
        games.append(
            {
                "id": 1000 + n * 7 + rng.randint(0, 6),
                "title": title,
                "platform": "desktop" if rng.random() < 0.15 else "desktop,mobile",
                "type": game_type,
                "enabled": 0 if rng.random() < 0.06 else 1,
                "fun_mode": 0 if live or rng.random() < 0.12 else 1,
                "campaigns": 1 if game_type == "slots" and rng.random() < 0.5 else 0,
                "vendor": vendor.code,
                "created_at": (start + dt.timedelta(days=rng.randint(0, 2900))).isoformat(),
                "details": details,
            }
        )
    return tuple(games)


def generate_games(*, media_base: str, count: int = DEFAULT_GAME_COUNT) -> list[dict[str, Any]]:
    """The games list as the Games List API answers it (fresh dicts: callers may change them)."""
    media_base = media_base.rstrip("/")
    out = []
    for base in _base_games(count):
        game = {**base, "details": {**base["details"]}}
        game["details"]["description"] = dict(base["details"]["description"])
        game["details"]["thumbnails"] = {
            "300x300": f"{media_base}/media/thumb/{base['id']}.svg",
            "600x400": f"{media_base}/media/thumb/{base['id']}.svg?size=600x400",
        }
        out.append(game)
    return out


LOBBIES: tuple[tuple[str, str, str], ...] = (
    # lobby_id, vendor, title
    ("portomaso", "portomaso", "Portomaso Live Casino"),
    ("live168", "live168", "Live168"),
    ("evolution_game_shows", "evolution", "Evolution Game Shows"),
    ("evolution_baccarat_sicbo", "evolution", "Evolution Baccarat & Sic Bo"),
    ("evolution_roulette", "evolution", "Evolution Roulette"),
    ("ezugi_lobby", "ezugi", "Ezugi Live Lobby"),
    ("pragmatic_live", "pragmatic", "Pragmatic Live"),
)


def generate_lobbies(*, media_base: str) -> list[dict[str, Any]]:
    media_base = media_base.rstrip("/")
    return [
        {
            "lobby_id": lobby_id,
            "vendor": vendor,
            "details": {
                "title": title,
                "thumbnails": {"300x300": f"{media_base}/media/lobby/{lobby_id}.svg"},
            },
        }
        for lobby_id, vendor, title in LOBBIES
    ]


@cache
def _vendor_index(count: int) -> dict[int, str]:
    return {g["id"]: g["vendor"] for g in _base_games(count)}


def game_vendor(game_id: int, *, count: int = DEFAULT_GAME_COUNT) -> str | None:
    """The vendor of a generated game, or None when the id is not in the generated catalog."""
    return _vendor_index(count).get(int(game_id))

"""The play page around a framed desktop game, and its live status.

    play_page      GET /play/<key>/         our bar (back to the lobby, the live balance, full
                                            screen) and the game in a frame
    play_status    GET /play/<key>/status/  JSON: the balance of the launch's game session
                                            wallet (raw and formatted), time played and net
                                            result (the reality check); the page polls it while
                                            visible and when the game frame says a round ended

A launch is known only to the browser session that made it (`views.SESSION_LAUNCHES`), and its
game session is read through the logged-in player: nobody reads another player's wallet.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lobby import play_selectors, selectors
from lobby.views import SESSION_LAUNCHES, _wallet_context


def _launch(request: HttpRequest, key: str) -> dict[str, Any]:
    launch = request.session.get(SESSION_LAUNCHES, {}).get(key)
    if launch is None:
        raise Http404("No such launch")
    return dict(launch)


def _origin(url: str) -> str:
    """ "https://games.example.com:8443" of a URL: what a message from its frame carries."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@require_GET
def play_page(request: HttpRequest, key: str) -> HttpResponse:
    """Our page around a framed desktop game: a bar back to the lobby and the game."""
    launch = _launch(request, key)
    player = selectors.player_for_user(user=request.user)
    status = None
    if player is not None and launch.get("session"):
        status = play_selectors.play_status(player=player, session_id=launch["session"])
    return render(
        request,
        "lobby/play.html",
        {
            "launch": launch,
            "launch_key": key,
            "player": player,
            "operator": selectors.operator_for_lobby(player=player),
            "status": status,
            "status_json": status.as_json() if status is not None else None,
            "game_origin": _origin(launch["url"]),
            "reality_check_seconds": int(settings.REALITY_CHECK_MINUTES * 60),
            **_wallet_context(request, player),
        },
    )


@never_cache
@require_GET
def play_status(request: HttpRequest, key: str) -> HttpResponse:
    """The live balance and reality-check figures of a real-money launch (JSON).

    401 when not logged in, 404 for a launch this browser did not make, a fun launch, or a
    session that is not the player's."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=401)
    launch = request.session.get(SESSION_LAUNCHES, {}).get(key)
    player = selectors.player_for_user(user=request.user)
    if launch is None or player is None or not launch.get("session"):
        return JsonResponse({"error": "no such launch"}, status=404)
    status = play_selectors.play_status(player=player, session_id=launch["session"])
    if status is None:
        return JsonResponse({"error": "no such launch"}, status=404)
    return JsonResponse(status.as_json())

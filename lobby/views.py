"""The player's lobby pages: the game grid, Play (real money), Demo (fun mode) and the play
page that frames a desktop game. Thin: reads go through `selectors`, launches through
`services`."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from lobby import selectors
from lobby.forms import CurrencyForm, DemoForm, FavouriteForm, GameFilterForm, LaunchForm
from lobby.launch import (
    LaunchParameterError,
    Opening,
    device_detect,
    language_choose,
)
from lobby.services import Launch, LaunchRefused, favourite_set, launch_fun, launch_real
from platform_wallet.models import Player, Wallet
from platform_wallet.selectors import player_excluded_until
from platform_wallet.services.sessions import SessionRefused

logger = logging.getLogger(__name__)

SESSION_CURRENCY = "lobby_currency"
SESSION_LAUNCHES = "lobby_launches"
KEPT_LAUNCHES = 8


# --- request helpers ------------------------------------------------------------------------------


def _device(request: HttpRequest, override: str | None) -> str:
    return override or device_detect(request.headers.get("User-Agent", ""))


def _language(request: HttpRequest, player: Player | None) -> str:
    return language_choose(
        profile_language=player.language if player is not None else "",
        accept_language=request.headers.get("Accept-Language", ""),
    )


def _home_url(request: HttpRequest) -> str:
    return settings.LOBBY_HOME_URL or request.build_absolute_uri(reverse("lobby:home"))


def _active_wallet(request: HttpRequest, wallets: list[Wallet]) -> Wallet | None:
    wanted = request.session.get(SESSION_CURRENCY)
    for wallet in wallets:
        if wallet.currency == wanted:
            return wallet
    return wallets[0] if wallets else None


def _wallet_context(request: HttpRequest, player: Player | None) -> dict[str, Any]:
    """The header's wallets: every balance of the player and the one Play uses."""
    if player is None:
        return {"wallets": [], "active_wallet": None}
    wallets = selectors.player_wallets(player=player)
    return {"wallets": wallets, "active_wallet": _active_wallet(request, wallets)}


def _lobby_redirect(device: str | None = None) -> HttpResponseRedirect:
    url = reverse("lobby:home")
    return HttpResponseRedirect(f"{url}?device={device}" if device else url)


def _safe_next(request: HttpRequest) -> str | None:
    """The form's `next` when it is a URL of this site (never an open redirect)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


def _open(
    request: HttpRequest, launch: Launch, *, fun: bool, game_id: int | None = None
) -> HttpResponse:
    """Show a launch as the spec's opening rules say: a frame on our play page for desktop,
    otherwise the browser goes to the URL itself (a mobile game is never framed; a new-tab
    product was posted from its tile into a new tab)."""
    if launch.opening is not Opening.FRAME:
        return HttpResponseRedirect(launch.url)
    key = secrets.token_urlsafe(9)
    launches: dict[str, dict[str, Any]] = request.session.get(SESSION_LAUNCHES, {})
    launches = dict(list(launches.items())[-(KEPT_LAUNCHES - 1) :])
    launches[key] = {
        "url": launch.url,
        "title": launch.title,
        "fun": fun,
        "game_id": game_id,
        "session": launch.session.pk if launch.session is not None else None,
    }
    request.session[SESSION_LAUNCHES] = launches
    return redirect("lobby:play_page", key=key)


def _refuse(request: HttpRequest, message: str, device: str | None) -> HttpResponseRedirect:
    messages.error(request, message)
    return _lobby_redirect(device)


def _misconfigured(request: HttpRequest, error: LaunchParameterError, device: str | None) -> Any:
    logger.error("launch refused: %s", error)
    return _refuse(
        request,
        "This game cannot be launched right now: the launch parameter "
        f"'{error.parameter}' is not valid ({error.problem}). Please contact support.",
        device,
    )


# --- pages ----------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    player = selectors.player_for_user(user=request.user)
    operator = selectors.operator_for_lobby(player=player)
    form = GameFilterForm(request.GET)
    form.is_valid()  # a bad value drops that filter only: cleaned_data keeps the valid ones
    filters = form.cleaned_data
    search, vendor, game_type = (filters.get(k) or "" for k in ("q", "vendor", "type"))
    device_override = filters.get("device") or ""
    context: dict[str, Any] = {
        "operator": operator,
        "player": player,
        # Play and the lobby tiles are off for a blocked or self-excluded player (the notice
        # says why; a launch would be refused anyway). Demo stays open.
        "launch_closed": player is not None
        and (player.is_blocked or player_excluded_until(player=player) is not None),
        "search": search,
        "vendor": vendor,
        "game_type": game_type,
        "device_override": device_override,
        "device": _device(request, device_override),
        "filtered": bool(search or vendor or game_type),
        **_wallet_context(request, player),
    }
    if operator is not None:
        games = selectors.with_favourite(
            selectors.game_list_available(
                operator=operator, vendor=vendor, game_type=game_type, search=search
            ),
            player=player,
        )
        page = Paginator(games, settings.LOBBY_PAGE_SIZE).get_page(request.GET.get("page"))
        chosen = filters.get("game")
        context.update(
            chosen=(
                selectors.game_list_available(operator=operator).filter(game_id=chosen).first()
                if chosen
                else None
            ),
            recent=selectors.recent_games(player=player) if player is not None else [],
            favourites=selectors.favourite_games(player=player) if player is not None else [],
            page=page,
            vendors=selectors.game_vendors(operator=operator),
            game_types=selectors.game_types(operator=operator),
            lobbies=selectors.lobby_tiles(operator=operator),
            language=_language(request, player),
        )
    return render(request, "lobby/home.html", context)


@require_POST
@login_required
def game_play(request: HttpRequest, game_id: int) -> HttpResponse:
    return _play(request, game_id=game_id)


@require_POST
@login_required
def lobby_play(request: HttpRequest, lobby_id: str) -> HttpResponse:
    return _play(request, lobby_id=lobby_id)


def _play(request: HttpRequest, *, game_id: int | None = None, lobby_id: str = "") -> Any:
    form = LaunchForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "The launch request was not valid.", None)
    device_override = form.cleaned_data["device"] or None
    player = selectors.player_for_user(user=request.user)
    if player is None:
        return _refuse(request, "This login has no player account.", device_override)
    if player.is_blocked or player.is_closed:
        return _refuse(
            request,
            "Your account is blocked: real-money games cannot be launched. Please contact support."
            if player.is_blocked
            else "Your account is closed.",
            device_override,
        )
    operator = player.operator
    game = lobby = None
    if game_id is not None:
        game = selectors.game_get_available(operator=operator, game_id=game_id)
        if game is None:
            return _refuse(request, "This game is not available.", device_override)
    else:
        lobby = selectors.lobby_get_available(operator=operator, lobby_id=lobby_id)
        if lobby is None:
            return _refuse(request, "This lobby is not available.", device_override)
    currency = form.cleaned_data["currency"] or None
    if currency is None:
        wallet = _active_wallet(request, selectors.player_wallets(player=player))
        if wallet is None:
            return _refuse(request, "You have no wallet to play with.", device_override)
        currency = wallet.currency
    try:
        launch = launch_real(
            player=player,
            currency=currency,
            game=game,
            lobby=lobby,
            language=_language(request, player),
            device=_device(request, device_override),
            home_url=_home_url(request),
        )
    except (SessionRefused, LaunchRefused) as refusal:
        return _refuse(request, str(refusal), device_override)
    except LaunchParameterError as error:
        return _misconfigured(request, error, device_override)
    return _open(request, launch, fun=False)


@require_GET
def game_demo(request: HttpRequest, game_id: int) -> HttpResponse:
    form = DemoForm(request.GET)
    device_override = form.cleaned_data["device"] if form.is_valid() else ""
    player = selectors.player_for_user(user=request.user)
    operator = selectors.operator_for_lobby(player=player)
    game = (
        selectors.game_get_available(operator=operator, game_id=game_id)
        if operator is not None
        else None
    )
    if operator is None or game is None:
        return _refuse(request, "This game is not available.", device_override)
    currency = settings.LOBBY_FUN_CURRENCY
    if player is not None:
        wallet = _active_wallet(request, selectors.player_wallets(player=player))
        currency = wallet.currency if wallet is not None else currency
    try:
        launch = launch_fun(
            operator=operator,
            game=game,
            currency=currency,
            language=_language(request, player),
            device=_device(request, device_override),
            home_url=_home_url(request),
        )
    except LaunchRefused as refusal:
        return _refuse(request, str(refusal), device_override)
    except LaunchParameterError as error:
        return _misconfigured(request, error, device_override)
    return _open(request, launch, fun=True, game_id=game.game_id)


@require_POST
@login_required
def favourite_toggle(request: HttpRequest, game_id: int) -> HttpResponse:
    """The heart on a game card: mark or unmark the game, then back to the page it was on
    (JSON for the lobby's script, which turns the heart without reloading the page)."""
    form = FavouriteForm(request.POST)
    player = selectors.player_for_user(user=request.user)
    operator = selectors.operator_for_lobby(player=player)
    game = (
        selectors.game_get_available(operator=operator, game_id=game_id)
        if operator is not None
        else None
    )
    if player is None or game is None or not form.is_valid():
        return _refuse(request, "This game is not available.", None)
    try:
        state = favourite_set(player=player, game=game, favourite=form.cleaned_data["favourite"])
    except LaunchRefused as refusal:
        return _refuse(request, str(refusal), None)
    if request.headers.get("Accept") == "application/json":  # lobby.js: the heart alone
        return JsonResponse({"game_id": game.game_id, "favourite": state})
    return HttpResponseRedirect(_safe_next(request) or reverse("lobby:home"))


@require_POST
@login_required
def currency_select(request: HttpRequest) -> HttpResponse:
    form = CurrencyForm(request.POST)
    player = selectors.player_for_user(user=request.user)
    if form.is_valid() and player is not None:
        currency = form.cleaned_data["currency"]
        if any(w.currency == currency for w in selectors.player_wallets(player=player)):
            request.session[SESSION_CURRENCY] = currency
    return _lobby_redirect()


class LobbyLoginView(LoginView):
    """Django's login, in the lobby's look (the operator's name in the header)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["operator"] = selectors.operator_for_lobby(player=None)
        return context

"""The player's account pages: My activity, Responsible gaming (loss and wager limits, a
break or self-exclusion) and the page a self-excluded player sees instead of a real-money
game. Thin: reads through `lobby.activity` and the wallet's selectors, writes through
`platform_wallet.services.responsible_gambling`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lobby import activity, selectors
from lobby.account_forms import ActivityFilterForm, BreakForm, LimitsForm
from platform_wallet.limits_rules import (
    BREAK_PERIODS,
    KINDS,
    PERIODS,
    break_until,
    is_permanent,
    limits_in_force,
)
from platform_wallet.models import Player, ResponsibleGamblingLimits
from platform_wallet.selectors import player_excluded_until
from platform_wallet.services.responsible_gambling import (
    LimitsRefused,
    limits_change_by_player,
    self_exclude,
)

SESSION_CURRENCY = "lobby_currency"  # the wallet the top bar shows (lobby.views)


def _base_context(request: HttpRequest, player: Player) -> dict[str, Any]:
    wallets = selectors.player_wallets(player=player)
    wanted = request.session.get(SESSION_CURRENCY)
    active = next((w for w in wallets if w.currency == wanted), wallets[0] if wallets else None)
    return {
        "player": player,
        "operator": player.operator,
        "wallets": wallets,
        "active_wallet": active,
        # Limits are amounts in each wallet's own currency: shown in it when there is one.
        "limit_currency": wallets[0].currency if len(wallets) == 1 else "",
    }


def _player_or_home(request: HttpRequest) -> Player | HttpResponseRedirect:
    player = selectors.player_for_user(user=request.user)
    if player is None:
        messages.error(request, "This login has no player account.")
        return redirect("lobby:home")
    return player


@require_GET
@login_required
def activity_page(request: HttpRequest) -> HttpResponse:
    player = _player_or_home(request)
    if not isinstance(player, Player):
        return player
    context = _base_context(request, player)
    form = ActivityFilterForm(request.GET)
    first, last = form.dates(timezone.now().astimezone(dt.UTC).date())
    period = activity.period_bounds(first, last)
    currencies = [w.currency for w in context["wallets"]]
    wanted = form.cleaned_data.get("currency") if form.is_valid() else ""
    active = context["active_wallet"]
    currency = wanted if wanted in currencies else (active.currency if active else "")
    context.update(period=period, currency=currency, currencies=currencies)
    if currency:
        cursor = (form.cleaned_data.get("cursor") or "") if form.is_valid() else ""
        totals = activity.activity_totals(player=player, currency=currency, period=period)
        context.update(
            page=activity.activity_page(
                player=player, currency=currency, period=period, cursor=cursor
            ),
            totals=totals,
            net=totals.wins - totals.bets,  # the player's result: wins and refunds minus bets
            first_page=not cursor,
        )
    return render(request, "lobby/account/activity.html", context)


@require_GET
@login_required
def round_page(request: HttpRequest, round_id: int) -> HttpResponse:
    """One of the player's rounds and its transactions; another's round is a 404."""
    player = _player_or_home(request)
    if not isinstance(player, Player):
        return player
    detail = activity.round_detail(player=player, round_id=round_id)
    if detail is None:
        raise Http404("No such round")
    currency = detail.rows[0].currency if detail.rows else ""
    return render(
        request,
        "lobby/account/round.html",
        {
            **_base_context(request, player),
            "round": detail,
            "currency": currency,
            "net": detail.totals.wins - detail.totals.bets,
        },
    )


def _limit_rows(limits: ResponsibleGamblingLimits | None, now: dt.datetime) -> list[Any]:
    in_force = limits_in_force(limits, now)
    return [
        {
            "period": period,
            "kind": kind,
            "name": f"{period}_{kind}_limit",
            "value": in_force.value(f"{period}_{kind}_limit"),
            "pending": in_force.pending_for(f"{period}_{kind}_limit"),
        }
        for kind in KINDS
        for period in PERIODS
    ]


@require_http_methods(["GET", "POST"])
@login_required
def limits_page(request: HttpRequest) -> HttpResponse:
    player = _player_or_home(request)
    if not isinstance(player, Player):
        return player
    now = timezone.now()
    limits = ResponsibleGamblingLimits.objects.filter(player=player).first()
    initial = LimitsForm.initial_from(limits_in_force(limits, now))
    form = LimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = limits_change_by_player(player=player, requested=form.requested())
        except LimitsRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            waiting = [name for name, change in changes.items() if "effective_at" in change]
            if not changes:
                messages.info(request, "Nothing changed.")
            elif waiting:
                messages.success(
                    request,
                    "Saved. Lower limits apply now; a higher limit or a removed one applies "
                    "after 24 hours.",
                )
            else:
                messages.success(request, "Saved: your new limits apply now.")
            return redirect("lobby:account_limits")
    return render(
        request, "lobby/account/limits.html", _limits_context(request, player, limits, form, now)
    )


def _limits_context(
    request: HttpRequest,
    player: Player,
    limits: ResponsibleGamblingLimits | None,
    form: LimitsForm,
    now: dt.datetime,
    break_form: BreakForm | None = None,
) -> dict[str, Any]:
    excluded_until = player_excluded_until(player=player, now=now)
    break_form = break_form or BreakForm()
    if excluded_until is not None:  # only breaks that make it clearly longer are offered
        period_field = break_form.fields["period"]
        assert isinstance(period_field, forms.ChoiceField)
        period_field.choices = [
            (period, label)
            for period, label in BREAK_PERIODS.items()
            if break_until(period, now) > excluded_until + dt.timedelta(hours=1)
        ]
    return {
        **_base_context(request, player),
        "form": form,
        "rows": _limit_rows(limits, now),
        "break_form": break_form,
        "excluded_until": excluded_until,
        "excluded_permanently": is_permanent(excluded_until),
        "no_exclusion_notice": True,
    }


@require_POST
@login_required
def take_break(request: HttpRequest) -> HttpResponse:
    """Two steps: the period is posted (nothing happens, a confirmation page says until when),
    then posted again with `confirm`: the break starts. A GET never excludes."""
    player = _player_or_home(request)
    if not isinstance(player, Player):
        return player
    form = BreakForm(request.POST)
    now = timezone.now()
    if not form.is_valid():
        limits = ResponsibleGamblingLimits.objects.filter(player=player).first()
        initial = LimitsForm.initial_from(limits_in_force(limits, now))
        context = _limits_context(
            request, player, limits, LimitsForm(initial=initial), now, break_form=form
        )
        return render(request, "lobby/account/limits.html", context, status=400)
    period = form.cleaned_data["period"]
    if not form.cleaned_data["confirm"]:
        until = break_until(period, now)
        return render(
            request,
            "lobby/account/break_confirm.html",
            {
                **_base_context(request, player),
                "period": period,
                "period_label": BREAK_PERIODS[period],
                "until": until,
                "permanent": is_permanent(until),
                "no_exclusion_notice": True,
            },
        )
    try:
        until = self_exclude(player=player, period=period)
    except LimitsRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            "Your break has started."
            if not is_permanent(until)
            else "You have excluded yourself permanently.",
        )
    return redirect("lobby:account_limits")


def excluded_page(request: HttpRequest, player: Player, until: dt.datetime) -> HttpResponse:
    return render(
        request,
        "lobby/account/excluded.html",
        {
            **_base_context(request, player),
            "until": until,
            "permanent": is_permanent(until),
            "no_exclusion_notice": True,
        },
        status=403,
    )


def refuse_when_excluded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps a real-money launch view: a self-excluded player gets a page saying until when,
    instead of a game (the session service refuses them too)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        player = selectors.player_for_user(user=request.user)
        if player is not None:
            until = player_excluded_until(player=player)
            if until is not None:
                return excluded_page(request, player, until)
        return view(request, *args, **kwargs)

    return wrapped

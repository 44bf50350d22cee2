"""A player's game sessions end when the player logs out of the lobby."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from platform_wallet.models import Player
from platform_wallet.services.sessions import sessions_end_for_player


@receiver(user_logged_out, dispatch_uid="lobby_end_sessions_on_logout")
def end_sessions_on_logout(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    if user is None:
        return
    player = Player.objects.filter(login_id=user.pk).first()
    if player is not None:
        sessions_end_for_player(player=player, reason="logout")

"""factory_boy factories for the wallet's models."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from operators.models import Operator
from platform_wallet.ledger import wallet_open
from platform_wallet.models import GameSession, Player, Wallet
from platform_wallet.services.sessions import token_generate


class OperatorFactory(DjangoModelFactory[Operator]):
    class Meta:
        model = Operator
        django_get_or_create = ("operator_id",)

    operator_id = factory.Sequence(lambda n: f"op{n}")
    name = factory.LazyAttribute(lambda o: f"Casino {o.operator_id}")
    secret_key = factory.Sequence(lambda n: f"secret-key-{n}")
    api_host = "http://127.0.0.1:9"
    launch_host = "https://games.example.test"


class PlayerFactory(DjangoModelFactory[Player]):
    class Meta:
        model = Player

    operator = factory.SubFactory(OperatorFactory)
    user_id = factory.Sequence(lambda n: str(1000 + n))
    user_name = factory.Sequence(lambda n: f"player{n}")
    display_name = factory.LazyAttribute(lambda p: p.user_name.title())
    country = "DE"


def wallet_for(player: Player, currency: str = "EUR", balance: str = "100.00") -> Wallet:
    """A wallet whose opening balance is a ledger entry, as in production."""
    return wallet_open(player=player, currency=currency, opening_balance=Decimal(balance))


def session_for(player: Player, wallet: Wallet, game_id: int = 200) -> GameSession:
    return GameSession.objects.create(
        token=token_generate(),
        operator=player.operator,
        player=player,
        wallet=wallet,
        game_id=game_id,
    )

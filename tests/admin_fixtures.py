"""Fixtures of the backoffice tests: staff users of each role (groups from the migration),
logged-in clients, and gameplay made through the signed wallet API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.test import Client

from backoffice.roles import FINANCE, SUPPORT, roles_sync
from platform_wallet.models import GameSession
from tests.wallet_client import Answer, WalletClient

STAFF_PASSWORD = "staff-test-password-1"


def staff_user(username: str, role: str | None = None, *, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password=STAFF_PASSWORD, is_staff=True, is_superuser=superuser
    )
    if role is not None:
        if not Group.objects.filter(name=role).exists():
            # A transactional test's database was flushed, migrations' data with it: the
            # roles are set up again exactly as the migration does.
            roles_sync(django_apps)
        user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def support_user(db: None) -> User:
    return staff_user("sam_support", SUPPORT)


@pytest.fixture
def finance_user(db: None) -> User:
    return staff_user("fiona_finance", FINANCE)


@pytest.fixture
def superuser(db: None) -> User:
    return staff_user("root_admin", superuser=True)


@pytest.fixture
def support_client(support_user: User) -> Client:
    return logged_in(support_user)


@pytest.fixture
def finance_client(finance_user: User) -> Client:
    return logged_in(finance_user)


@pytest.fixture
def super_client(superuser: User) -> Client:
    return logged_in(superuser)


def play(
    api: WalletClient,
    session: GameSession,
    transaction_type: str,
    amount: str,
    **data: Any,
) -> Answer:
    """One changebalance call of the PLATFORM for the session's player."""
    data.setdefault("user_id", session.player.user_id)
    data.setdefault("token", session.token)
    data.setdefault("currency_code", session.wallet.currency)
    return api.changebalance(transaction_type=transaction_type, amount=Decimal(amount), **data)

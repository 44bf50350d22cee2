"""Demo data: an operator account, players with wallets, and a staff login."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from backoffice.roles import roles_sync
from operators.models import Operator
from operators.services import operator_upsert
from platform_wallet.services.accounts import player_upsert

DEMO_OPERATOR_ID = "demo-casino"
DEMO_SECRET_KEY = "demo-secret-key"  # noqa: S105 - a demo, printed on purpose
DEMO_ADMIN = ("admin", "admin-demo-password")
# Staff with the backoffice's roles (groups created by backoffice's migration).
# Two Finance members: a large adjustment one asks for, the other approves (four eyes).
DEMO_STAFF = [
    ("sam_support", "Support"),
    ("fiona_finance", "Finance"),
    ("felix_finance", "Finance"),
]
DEMO_STAFF_PASSWORD = "staff-demo-password"  # noqa: S105
DEMO_PLAYERS = [
    # user_id, user_name, display name, country, currency, opening balance
    ("1001", "alice", "Alice", "Germany", "EUR", "500.00"),
    ("1002", "bob", "Bob", "United Kingdom", "GBP", "250.00"),
    ("1003", "carol", "Carol", "Malta", "EUR", "1000.00"),
    ("1004", "dave", "Dave", "Sweden", "EUR", "20.00"),
]
DEMO_PLAYER_PASSWORD = "play-demo-password"  # noqa: S105


@dataclass(frozen=True)
class DemoLogins:
    operator: Operator
    admin: tuple[str, str]
    players: list[tuple[str, str]]
    staff: list[tuple[str, str, str]]


def demo_seed(*, api_host: str, launch_host: str) -> DemoLogins:
    """Create (or refresh) the demo operator, players and logins. Idempotent."""
    operator, _ = operator_upsert(
        operator_id=DEMO_OPERATOR_ID,
        secret_key=DEMO_SECRET_KEY,
        api_host=api_host,
        launch_host=launch_host,
        name="Demo Casino",
    )
    user_model = get_user_model()
    admin, created = user_model.objects.get_or_create(
        username=DEMO_ADMIN[0], defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_ADMIN[1])
        admin.save()
    # The roles' groups come with backoffice's migrations; a flushed database has none.
    roles = {group_name for _, group_name in DEMO_STAFF}
    if Group.objects.filter(name__in=roles).count() < len(roles):
        roles_sync(apps)
    staff_logins = []
    for username, group_name in DEMO_STAFF:
        member, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        if created:
            member.set_password(DEMO_STAFF_PASSWORD)
            member.save()
        member.groups.add(Group.objects.get(name=group_name))
        staff_logins.append((username, DEMO_STAFF_PASSWORD, group_name))
    logins = []
    for user_id, user_name, display, country, currency, balance in DEMO_PLAYERS:
        player, _wallet, _ = player_upsert(
            operator=operator,
            user_id=user_id,
            user_name=user_name,
            country=country,
            currency=currency,
            opening_balance=Decimal(balance),
            display_name=display,
        )
        login, created = user_model.objects.get_or_create(username=user_name)
        if created:
            login.set_password(DEMO_PLAYER_PASSWORD)
            login.save()
        if player.login_id != login.pk:
            player.login = login
            player.save(update_fields=["login"])
        logins.append((user_name, DEMO_PLAYER_PASSWORD))
    return DemoLogins(operator=operator, admin=DEMO_ADMIN, players=logins, staff=staff_logins)

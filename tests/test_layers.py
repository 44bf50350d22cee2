"""Issue 11: dependencies between the project's apps run one way.

Every module (migrations aside) imports only from its own app or from an app in a lower layer
(docs/architecture.md, "Layers"), and never another app's module inside a function (a deferred
import hiding a cycle). Read from the source with `ast`: no module is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. An app may import apps of lower layers only.
LAYERS: list[set[str]] = [
    {"money", "platform_client", "audit"},  # amounts; the PLATFORM's operator APIs; staff trail
    {"operators"},  # operator accounts: id, secret, hosts, allow-list
    {"catalog"},  # games and lobbies
    {"platform_wallet"},  # the gameplay API, the ledger, players, sessions
    {"reporting", "lobby"},  # reports and reconciliation; the player's pages
    {"backoffice", "ops"},  # the staff's admin; health, metrics, rate limits
    {"simulator"},  # a PLATFORM for development, the demo and tests
    {"casino_project"},  # settings, URLs, WSGI and Celery entry points
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def project_modules() -> list[Path]:
    return sorted(
        path
        for app in LAYER_OF
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def imported_apps(tree: ast.Module) -> list[tuple[int, str, bool]]:
    """(line, app, deferred) of every import of a project app in a module."""
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            app = name.split(".")[0]
            if app in LAYER_OF:
                found.append((node.lineno, app, id(node) not in top_level))
    return found


def test_every_app_has_a_layer() -> None:
    apps = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "docs"}
    assert apps == set(LAYER_OF)


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_down_the_layers(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    wrong = []
    for line, app, deferred in imported_apps(tree):
        if app == own:
            continue
        if LAYER_OF[app] >= LAYER_OF[own]:
            wrong.append(f"line {line}: {own} (layer {LAYER_OF[own]}) imports {app}")
        elif deferred:
            wrong.append(f"line {line}: {app} imported inside a function")
    assert not wrong, "\n".join(wrong)


def test_the_simulator_speaks_the_protocol_on_its_own() -> None:
    """The simulator's wallet protocol is a second opinion: it imports no project app."""
    tree = ast.parse((ROOT / "simulator" / "wallet_protocol.py").read_text())
    assert [app for _, app, _ in imported_apps(tree) if app != "simulator"] == []

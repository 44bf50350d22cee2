"""Issue 10, section 5: safe defaults and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def _settings_value(name: str, **env: str) -> str:
    """A setting as the project computes it from this environment (in a fresh process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='casino_project.settings';"
            f"from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


def test_debug_is_off_unless_asked_for() -> None:
    assert _settings_value("DEBUG", DJANGO_SECRET_KEY="k" * 50) == "False"
    assert _settings_value("DEBUG", DJANGO_DEBUG="true") == "True"


def test_without_debug_a_secret_key_is_required() -> None:
    assert "DJANGO_SECRET_KEY is required" in _settings_value("DEBUG")


def test_make_demo_turns_debug_on_explicitly() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demo_recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_DEBUG=true" in demo_recipe


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_demo_refuses_to_seed_known_passwords_without_debug() -> None:
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "--no-serve")
    assert not get_user_model().objects.exists()

"""Issue 13, the server: `casino-web` reads its settings from the environment and refuses the
ones it cannot use, naming them (the real server's behaviour: tests/test_deploy_web.py)."""

from __future__ import annotations

import pytest

from casino_project.web import WebConfigError, server_args


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_issue13_defaults_and_the_application() -> None:
    args = server_args({})
    assert option(args, "--interface") == "wsgi"
    assert (option(args, "--host"), option(args, "--port")) == ("0.0.0.0", "8000")  # noqa: S104
    assert option(args, "--blocking-threads") == "4"
    assert "--respawn-failed-workers" in args and "--no-access-log" in args
    assert "--workers-lifetime" not in args and "--workers-max-rss" not in args
    assert args[-1] == "casino_project.wsgi:application"


def test_issue13_settings_from_the_environment() -> None:
    args = server_args(
        {
            "WEB_BIND": "[::1]:9000",
            "WEB_WORKERS": "3",
            "WEB_THREADS": "6",
            "WEB_WORKER_LIFETIME": "10",  # raised to the server's minimum
            "WEB_WORKER_MAX_RSS": "512",
            "WEB_ACCESS_LOG": "yes",
            "WEB_GRACEFUL_TIMEOUT": "20",
        }
    )
    assert (option(args, "--host"), option(args, "--port")) == ("::1", "9000")
    assert (option(args, "--workers"), option(args, "--blocking-threads")) == ("3", "6")
    assert option(args, "--workers-lifetime") == "60"
    assert option(args, "--workers-max-rss") == "512"
    assert option(args, "--workers-kill-timeout") == "20"
    assert "--access-log" in args


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"WEB_WORKERS": "0"}, "WEB_WORKERS"),
        ({"WEB_BIND": "9000"}, "WEB_BIND"),
        ({"WEB_ACCESS_LOG": "maybe"}, "WEB_ACCESS_LOG"),
        ({"WEB_THREADS": "-2"}, "WEB_THREADS"),
    ],
)
def test_issue13_an_unusable_setting_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(WebConfigError, match=named):
        server_args(env)


PG = "postgres://postgres@127.0.0.1:5432/casino"


def test_issue13_a_pool_smaller_than_the_threads_is_refused() -> None:
    """Each blocking thread keeps a pooled connection between wallet calls: with fewer places
    in the pool than threads, a thread would wait for one that an idle thread holds."""
    with pytest.raises(WebConfigError, match="DB_POOL_MAX_SIZE=3 is below WEB_THREADS=4"):
        server_args({"DATABASE_URL": PG, "DB_POOL_MAX_SIZE": "3", "WEB_THREADS": "4"})
    assert server_args({"DATABASE_URL": PG, "DB_POOL_MAX_SIZE": "4", "WEB_THREADS": "4"})
    # without keeping connections, without the pool, or on SQLite, any size will do
    for env in (
        {"WALLET_KEEP_CONNECTION_SECONDS": "0"},
        {"DB_POOL": "false"},
        {"DATABASE_URL": "sqlite:///demo.sqlite3"},
    ):
        assert server_args({"DATABASE_URL": PG, "DB_POOL_MAX_SIZE": "2", **env})

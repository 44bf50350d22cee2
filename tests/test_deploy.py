"""The container and compose files, kept correct without Docker: the compose services run the
commands the README (and Makefile) document with the variables the README documents; the
image builds the way production runs (non-root, collected static files, a healthcheck); and
`manage.py check --deploy` is clean under production settings."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")


# --- parsing ----------------------------------------------------------------------------------
def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def readme_production_commands() -> list[list[str]]:
    """Commands of the sh blocks of the README's "Running in production"."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme_section("Running in production"), re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                commands.append(shlex.split(line))
    return commands


def readme_variables() -> set[str]:
    """Variables named in the first column of the README's configuration table."""
    names: set[str] = set()
    for line in readme_section("Running in production").splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_column))
    return names


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service_commands(service: dict[str, Any]) -> list[list[str]]:
    """A service's command as a list of commands (`sh -c "a && exec b"` is two)."""
    command = service["command"]
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] != ["sh", "-c"]:
        return [argv]
    commands = []
    for part in argv[2].split("&&"):
        words = shlex.split(part)
        commands.append(words[1:] if words[0] == "exec" else words)
    return commands


def makefile_commands() -> list[list[str]]:
    """Recipe lines of the Makefile that run the server, Celery or migrations."""
    commands = []
    for line in (ROOT / "Makefile").read_text().splitlines():
        if not line.startswith("\t"):
            continue
        words = shlex.split(line.replace("$(BIN)/", "").strip())
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]  # VAR=value prefixes
        if words[:1] in (["casino-web"], ["celery"]) or words[1:3] == ["manage.py", "migrate"]:
            commands.append(words)
    return commands


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    import json

    return list(json.loads(arguments))


# --- README, Makefile and compose agree ---------------------------------------------------------
def test_readme_documents_the_web_worker_and_beat_commands() -> None:
    commands = readme_production_commands()
    assert ["python", "manage.py", "migrate"] in commands
    assert ["casino-web"] in commands
    worker = [c for c in commands if c[:4] == ["celery", "-A", "casino_project", "worker"]]
    beat = [c for c in commands if c[:4] == ["celery", "-A", "casino_project", "beat"]]
    assert len(worker) == len(beat) == 1
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert beat[0][beat[0].index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER


def test_compose_services_run_the_readme_commands() -> None:
    services = compose()["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis"}
    readme = readme_production_commands()
    assert service_commands(services["web"]) == [
        ["python", "manage.py", "migrate"],
        ["casino-web"],
    ]
    run_by_compose = [c for name in APP_SERVICES for c in service_commands(services[name])]
    for command in run_by_compose:
        assert command in readme, f"compose runs {command}, which the README does not document"
    for command in readme:
        assert command in run_by_compose, f"README's {command} is run by no compose service"
    assert service_commands(services["worker"])[0][:4] == [
        "celery",
        "-A",
        "casino_project",
        "worker",
    ]
    assert service_commands(services["beat"])[0][:4] == ["celery", "-A", "casino_project", "beat"]


def test_makefile_commands_match_the_readme() -> None:
    """A Makefile recipe that runs the server, Celery or migrations runs a README command
    (possibly with more options)."""
    readme = readme_production_commands()
    for command in makefile_commands():
        assert any(command[: len(c)] == c for c in readme), (
            f"Makefile runs {command}, which the README does not document"
        )


def test_compose_uses_only_variables_the_readme_documents() -> None:
    documented = readme_variables()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "REDIS_URL"} <= (
        documented
    )
    text = (ROOT / "docker-compose.yml").read_text()
    substituted = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert substituted - documented == set()
    services = compose()["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert set(environment) - documented == set(), name
        assert environment["DJANGO_DEBUG"] == "false"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "DJANGO_SECRET_KEY" in environment


def test_compose_starts_services_in_order() -> None:
    services = compose()["services"]
    assert services["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    # the worker and beat start once web has migrated the database and is healthy
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]
    # issue 10: web is reached through the proxy only, which starts once web is healthy
    assert "ports" not in services["web"] and services["web"]["expose"] == ["8000"]
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


# --- issue 10: the client address is the real one ------------------------------------------------
def test_issue10_compose_publishes_only_the_proxy_and_web_is_reached_through_it() -> None:
    """Mistake (b) impossible: no published port leads to web but the proxy's, and the
    edge network between them is internal and holds only the two of them."""
    spec = compose()
    services, networks = spec["services"], spec["networks"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["ports"] == ["80:80", "443:443"]
    on_edge = {name for name, service in services.items() if "edge" in service.get("networks", [])}
    assert on_edge == {"proxy", "web"}
    assert networks["edge"]["internal"] is True
    # every service names its networks (none falls back to a default network shared by all)
    assert all(service.get("networks") for service in services.values())
    for name in ("worker", "beat", "db", "redis"):
        assert services[name]["networks"] == ["backend"], name


def test_issue10_compose_trusts_exactly_its_own_proxy() -> None:
    """Mistake (a) impossible: as many trusted hops as proxies the compose file ships (one),
    trusted from the edge network's subnet only (where only the proxy connects from)."""
    spec = compose()
    services = spec["services"]
    proxy_images = ("caddy:", "nginx:", "traefik:", "haproxy:", "envoyproxy/")
    proxies = [
        name for name, service in services.items() if service["image"].startswith(proxy_images)
    ]
    assert proxies == ["proxy"]
    environment = services["web"]["environment"]
    assert environment["WALLET_TRUSTED_PROXY_HOPS"] == str(len(proxies))
    subnet = spec["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert environment["WALLET_TRUSTED_PROXIES"] == subnet
    # the proxy is Caddy with the repository's Caddyfile, which proxies to web:8000
    assert services["proxy"]["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_issue10_the_proxy_config_forwards_to_web_and_never_serves_metrics() -> None:
    config = _proxy_config()
    directives = [line.split() for line in config.splitlines() if line.strip()]
    assert ["reverse_proxy", "web:8000"] in directives
    assert ["respond", "/metrics", "404"] in directives
    # the proxy trusts nothing in front of it: it writes X-Forwarded-For itself
    assert "trusted_proxies" not in config


def test_issue10_compose_gives_web_the_metrics_token() -> None:
    environment = compose()["services"]["web"]["environment"]
    assert environment["METRICS_TOKEN"] == "${METRICS_TOKEN:-}"


def _proxy_config() -> str:
    lines = (ROOT / "deploy" / "Caddyfile").read_text().splitlines()
    return "\n".join(line.split("#", 1)[0] for line in lines)


# --- Dockerfile -------------------------------------------------------------------------------
def test_dockerfile_slim_python_non_root_collectstatic_healthcheck() -> None:
    instructions = dockerfile()
    keywords = [keyword for keyword, _ in instructions]
    for keyword, arguments in instructions:
        if keyword == "FROM":
            assert arguments.split()[0] == "python:3.11-slim"
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    assert any(re.search(r"\bpip install (--no-deps )?\.$", run) for run in runs)
    assert any("manage.py collectstatic --noinput" in run for run in runs)
    # the final stage runs as a non-root user: USER after the last RUN, before CMD
    users = [i for i, (keyword, _) in enumerate(instructions) if keyword == "USER"]
    assert users, "no USER"
    user = instructions[users[-1]][1]
    assert user not in ("root", "0") and not user.startswith("0:")
    last_run = max(i for i, k in enumerate(keywords) if k == "RUN")
    assert users[-1] > last_run
    assert users[-1] < keywords.index("CMD")
    healthcheck = next(arguments for keyword, arguments in instructions if keyword == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert re.search(r"--interval=\d+s", healthcheck)
    cmd = exec_form(next(arguments for keyword, arguments in instructions if keyword == "CMD"))
    assert cmd in readme_production_commands()
    assert cmd == ["casino-web"]
    assert ("EXPOSE", "8000") in instructions


def test_dockerignore_keeps_secrets_and_local_state_out_but_not_what_runs() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (".git", ".venv", ".env", "*.sqlite3", "staticfiles"):
        assert needed in patterns
    # the runtime stage needs these from the build context
    for path in ("manage.py", "docs/openapi/wallet.yaml", "pyproject.toml"):
        assert not any(
            fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns
        ), path
    for package in settings.INSTALLED_APPS:
        top = package.split(".")[0]
        if (ROOT / top).is_dir():
            assert top not in patterns


def test_the_dockerfile_collectstatic_step_works(tmp_path: Path) -> None:
    """Run the image's collectstatic instruction with the image's environment (but into a
    temporary STATIC_ROOT): hashed, compressed files and a manifest for whitenoise."""
    instructions = dockerfile()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    for keyword, arguments in instructions:
        if keyword == "ENV":
            for word in shlex.split(arguments):
                name, _, value = word.partition("=")
                env[name] = value
    run = next(a for k, a in instructions if k == "RUN" and "collectstatic" in a)
    words = shlex.split(run)
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[:2] == ["python", "manage.py"]
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    assert env["DJANGO_DEBUG"] == "false"
    result = subprocess.run(
        [sys.executable, *words[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    static = tmp_path / "static"
    manifest = (static / "staticfiles.json").read_text()
    assert '"admin/css/base.css"' in manifest
    assert '"unfold/css/styles.css"' in manifest  # the backoffice's theme (issue 12)
    assert '"backoffice/backoffice.css"' in manifest
    assert list((static / "admin" / "css").glob("base.*.css.gz"))


# --- manage.py check --deploy -----------------------------------------------------------------
METRICS_TOKEN = "scrape-token-for-the-tests"  # production wants one (issue 10)


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "WALLET_", "METRICS_"))
    }
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "k3Yq-" + "Zr8vW2pLm4Nx7Tb1Hc6Jd9Fs0Gq5Ra3Ue" * 2,
            "ALLOWED_HOSTS": "casino.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://casino.example.com",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/casino",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "METRICS_TOKEN": METRICS_TOKEN,
        }
    )
    env.update(overrides)
    return env


def pg_admin(sql: str) -> None:
    import psycopg

    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.encode())


@pytest.fixture(scope="module")
def deploy_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a migrated database of this module's own (beside the test database), as
    production has when `check --deploy` runs; emptied of operators by `deploy_database_url`."""
    default = settings.DATABASES["default"]
    name = None
    if default["ENGINE"] == settings.POSTGRESQL_ENGINE:
        name = f"{default['NAME']}_deploy"
        pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(f'CREATE DATABASE "{name}"')
        url = f"postgres://{default['USER']}@{default['HOST']}:{default['PORT']}/{name}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('deploy') / 'db.sqlite3'}"
    manage(["migrate", "-v", "0"], DATABASE_URL=url)
    try:
        yield url
    finally:
        if name:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def deploy_database_url(deploy_database: str) -> str:
    manage(["shell", "-c", DELETE_OPERATORS], DATABASE_URL=deploy_database)
    return deploy_database


DELETE_OPERATORS = "from platform_wallet.models import Operator; Operator.objects.all().delete()"


def manage(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py <args>` in production settings; fails the test when it fails."""
    result = check_deploy(args, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def check_deploy(args: list[str] | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            *(args or ["check", "--deploy", "--fail-level", "WARNING"]),
        ],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_under_production_settings(deploy_database_url: str) -> None:
    result = check_deploy(DATABASE_URL=deploy_database_url)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "ERROR" not in output


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECRET_KEY": "short"}, "security.W009"),
        # issue 10: /metrics without a token answers 403 in production
        ({"METRICS_TOKEN": ""}, "ops.W001"),
        # issue 10: proxies in front, but none trusted: every caller would be the proxy
        ({"WALLET_TRUSTED_PROXY_HOPS": "1", "WALLET_TRUSTED_PROXIES": ""}, "ops.W002"),
    ],
)
def test_check_deploy_would_catch_a_weakened_setting(
    deploy_database_url: str, overrides: dict[str, str], check_id: str
) -> None:
    """The check above can fail: weakening one setting makes it report."""
    result = check_deploy(DATABASE_URL=deploy_database_url, **overrides)
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_issue10_check_deploy_errors_on_an_operator_without_ip_allow_list(
    deploy_database_url: str,
) -> None:
    """Production fails closed: an active operator with no allow-list (and no opt-out) is a
    deploy ERROR; with an allow-list the check is clean again."""
    manage(
        ["create_operator", "brand1", "--secret-key", "s" * 20], DATABASE_URL=deploy_database_url
    )
    result = check_deploy(DATABASE_URL=deploy_database_url)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "operators.E001" in output and "'brand1'" in output
    manage(
        ["create_operator", "brand1", "--secret-key", "s" * 20, "--allowed-ips", "192.0.2.0/24"],
        DATABASE_URL=deploy_database_url,
    )
    result = check_deploy(DATABASE_URL=deploy_database_url)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue10_check_deploy_lists_an_explicit_opt_out_without_failing(
    deploy_database_url: str,
) -> None:
    manage(
        ["create_operator", "private", "--secret-key", "s" * 20, "--allow-any-address"],
        DATABASE_URL=deploy_database_url,
    )
    result = check_deploy(DATABASE_URL=deploy_database_url)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "operators.I001" in output and "'private'" in output


def test_issue10_check_deploy_survives_an_unreachable_or_unmigrated_database(
    tmp_path: Path,
) -> None:
    """Nothing to read: a warning that nothing was verified, never a crash."""
    for url in (
        f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # not migrated
        "postgres://postgres@127.0.0.1:1/casino",  # nothing listens there
    ):
        result = check_deploy(DATABASE_URL=url, DB_POOL_TIMEOUT_S="0.5")
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "operators.W001" in output, output
        assert "Traceback" not in output

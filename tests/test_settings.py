"""Production settings: refused without what they need, clean under `check --deploy`, and the
documented commands work as documented."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "s" * 60,
    "DJANGO_ALLOWED_HOSTS": "accord.example.org",
    "ACCORD_SITE_URL": "https://accord.example.org",
    "ACCORD_AUDIT_KEY": "k" * 64,
}


def _manage(
    *args: str, env: dict[str, str], env_file: str = ""
) -> subprocess.CompletedProcess[str]:
    """manage.py in a clean environment: none of this shell's settings, no `.env` unless named."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "ACCORD_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "ACCORD_ENV_FILE": env_file, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _manage("check", "--deploy", "--fail-level", "CRITICAL", env=env)


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _check({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "accord.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _check({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "s" * 50})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_refuses_a_wildcard_host() -> None:
    result = _check(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "s" * 50, "DJANGO_ALLOWED_HOSTS": "*"}
    )
    assert result.returncode != 0


def test_a_bad_boolean_is_named() -> None:
    result = _check({"DJANGO_DEBUG": "maybe"})
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_production_refuses_to_start_without_a_site_url() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "ACCORD_SITE_URL"}
    result = _check(env)
    assert result.returncode != 0
    assert "ACCORD_SITE_URL must be set" in result.stderr


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A var directory whose static files have been collected, as a deployment's would be."""
    var = {"ACCORD_VAR_DIR": str(tmp_path_factory.mktemp("var"))}
    result = _manage("collectstatic", "--noinput", env={**PRODUCTION, **var})
    assert result.returncode == 0, result.stderr
    return var


def test_production_starts_with_what_it_needs(collected: dict[str, str]) -> None:
    result = _check({**PRODUCTION, **collected})
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_only_what_production_needs(collected: dict[str, str]) -> None:
    """Transport security is on by default with DEBUG off: no deployment warning at all."""
    env = {**PRODUCTION, **collected, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_secure_the_transport_and_the_browser() -> None:
    value = _settings(
        PRODUCTION,
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_CROSS_ORIGIN_OPENER_POLICY, s.X_FRAME_OPTIONS",
    )
    assert value == "True 31536000 True True True True same-origin DENY"
    # The proxy's header is trusted only when named: a client could otherwise claim HTTPS.
    assert _settings(PRODUCTION, "s.SECURE_PROXY_SSL_HEADER") == "None"


def test_development_serves_plain_http_without_hsts() -> None:
    value = _settings(
        {"DJANGO_DEBUG": "1"},
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE",
    )
    assert value == "False 0 False False"


def test_production_without_collected_static_files_refuses_to_start(tmp_path: Path) -> None:
    result = _manage("check", env={**PRODUCTION, "ACCORD_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "accord.E001" in result.stderr
    assert "collectstatic" in result.stderr


def _example_settings() -> dict[str, str]:
    """.env.example as a production machine would take it, with the secrets it leaves blank."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    for name, value in values.items():
        if name.endswith("_KEY") and not value:
            values[name] = secrets.token_urlsafe(50)
    return {k: v for k, v in values.items() if v != ""}


def test_check_deploy_is_clean_with_the_example_settings(collected: dict[str, str]) -> None:
    env = {**_example_settings(), **collected}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_example_settings_secure_the_transport() -> None:
    env = _example_settings()
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.CSRF_TRUSTED_ORIGINS)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[0] == "('HTTP_X_FORWARDED_PROTO',"
    assert "True 31536000 ['https://accord.example.org']" in result.stdout


def test_production_refuses_to_start_without_an_audit_key() -> None:
    result = _check({k: v for k, v in PRODUCTION.items() if k != "ACCORD_AUDIT_KEY"})
    assert result.returncode != 0
    assert "ACCORD_AUDIT_KEY must be set" in result.stderr


def test_documented_commands_work_with_the_development_env_file() -> None:
    """The README's `.venv/bin/python manage.py ...` lines, after `make setup` wrote `.env`."""
    env_file = ROOT / ".env"
    if not env_file.exists():
        pytest.skip("no .env: `make setup` writes it (make test and make run do)")
    result = _manage("verify_audit", env={}, env_file=str(env_file))
    assert result.returncode == 0, result.stderr


def _settings(env: dict[str, str], expression: str) -> str:
    """The value of a Python expression over the settings, under `env`."""
    code = f"from django.conf import settings as s; print({expression})"
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


DATABASE = "(s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'])"


def test_postgresql_connections_persist_for_a_minute_with_health_checks() -> None:
    postgres = {**PRODUCTION, "DATABASE_URL": "postgres://accord@db.example.org:5432/accord"}
    assert _settings(postgres, DATABASE) == "(60, True)"
    assert _settings({**postgres, "DATABASE_CONN_MAX_AGE": "5"}, DATABASE) == "(5, True)"


def test_sqlite_connections_persist_for_a_minute_too() -> None:
    assert _settings(PRODUCTION, DATABASE) == "(60, True)"
    assert _settings({**PRODUCTION, "DATABASE_CONN_MAX_AGE": "0"}, DATABASE) == "(0, True)"


CACHE = "s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION')"


def test_the_cache_is_shared_between_workers_in_production() -> None:
    assert _settings(PRODUCTION, CACHE) == (
        "django.core.cache.backends.db.DatabaseCache accord_cache"
    )
    redis = {**PRODUCTION, "ACCORD_CACHE_URL": "redis://cache.example.org:6379/1"}
    assert _settings(redis, CACHE) == (
        "django.core.cache.backends.redis.RedisCache redis://cache.example.org:6379/1"
    )


def test_a_bad_cache_address_is_named() -> None:
    result = _check({**PRODUCTION, "ACCORD_CACHE_URL": "memcached://cache:11211"})
    assert result.returncode != 0
    assert "ACCORD_CACHE_URL must be" in result.stderr


UPLOADS = (
    "s.STORAGES['default']['BACKEND'], sorted(s.STORAGES['default'].get('OPTIONS', {}).items())"
)


def test_uploads_go_to_local_disk_by_default_or_to_an_s3_bucket() -> None:
    assert _settings(PRODUCTION, UPLOADS) == "django.core.files.storage.FileSystemStorage []"
    s3 = {
        **PRODUCTION,
        "ACCORD_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "accord-uploads",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
        "AWS_S3_REGION_NAME": "uk-london-1",
    }
    backend, _, options = _settings(s3, UPLOADS).partition(" ")
    assert backend == "storages.backends.s3.S3Storage"
    assert "('bucket_name', 'accord-uploads')" in options
    assert "('endpoint_url', 'https://objects.example.org')" in options
    assert "('region_name', 'uk-london-1')" in options
    assert "('default_acl', None)" in options
    assert "('file_overwrite', False)" in options


def test_s3_storage_without_a_bucket_is_refused() -> None:
    result = _check({**PRODUCTION, "ACCORD_STORAGE": "s3"})
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME must be set" in result.stderr


def test_make_serve_refuses_without_the_production_settings_and_says_why() -> None:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "ACCORD_"))
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env={**clean, "ACCORD_ENV_FILE": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Not serving: DJANGO_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# What each command `make run` runs sees as the site address: manage.py replaced by a Python
# line that prints the command's name and the setting (in one write: the e-mail worker prints
# beside the server).
_PRINT_SITE_URL = (
    "import os, sys; from django.conf import settings; "
    'os.write(1, f"site address for {sys.argv[1]} {settings.SITE_URL}\\n".encode())'
)
SHOW_SITE_URL = f"{sys.executable} -c '{_PRINT_SITE_URL}'"
# The commands `make run` runs in the foreground (the e-mail worker beside the server is
# stopped with it, perhaps before it prints).
RUN_COMMANDS = {"migrate", "load_builtin_schemes", "collectstatic", "load_demo", "runserver"}


def _make_run(address: str, env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The site address each command of `make run ADDRESS=address` sees, by command, with the
    development `.env` that `make setup` writes (for 127.0.0.1:8000)."""
    if not (ROOT / ".env").exists():
        pytest.skip("no .env: `make setup` writes it (make test and make run do)")
    env_file = tmp_path / "development.env"
    env_file.write_text("DJANGO_DEBUG=1\nACCORD_SITE_URL=http://127.0.0.1:8000\n")
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE", "ACCORD_", "MAKE", "MFLAGS"))
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"ADDRESS={address}", f"MANAGE={SHOW_SITE_URL}"],
        cwd=ROOT,
        env={
            **clean,
            "ACCORD_ENV_FILE": str(env_file),
            "DJANGO_SETTINGS_MODULE": "accord.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    seen = {}
    for line in result.stdout.splitlines():
        if line.startswith("site address for "):
            command, url = line.removeprefix("site address for ").split()
            seen[command] = url
    assert set(seen) >= RUN_COMMANDS, result.stdout
    return seen


def test_make_run_links_to_the_address_it_serves_on(tmp_path: Path) -> None:
    seen = _make_run("127.0.0.1:8765", {}, tmp_path)
    assert set(seen.values()) == {"http://127.0.0.1:8765"}


def test_make_run_keeps_a_site_address_set_in_the_environment(tmp_path: Path) -> None:
    tunnel = {"ACCORD_SITE_URL": "https://accord-dev.example.org"}
    seen = _make_run("127.0.0.1:8765", tunnel, tmp_path)
    assert set(seen.values()) == {"https://accord-dev.example.org"}


def test_in_development_the_site_address_is_an_allowed_host() -> None:
    development = {"DJANGO_DEBUG": "1", "ACCORD_SITE_URL": "http://192.168.1.20:8080"}
    assert _settings(development, "s.ALLOWED_HOSTS") == "['127.0.0.1', 'localhost', '192.168.1.20']"
    ipv6 = {"DJANGO_DEBUG": "1", "ACCORD_SITE_URL": "http://[::1]:8000"}
    assert _settings(ipv6, "s.ALLOWED_HOSTS") == "['127.0.0.1', 'localhost', '[::1]']"
    # In production only the hosts named are served.
    assert _settings(PRODUCTION, "s.ALLOWED_HOSTS") == "['accord.example.org']"


def test_behind_proxies_sign_in_limits_read_the_client_from_x_forwarded_for() -> None:
    expression = "s.ALLAUTH_TRUSTED_PROXY_COUNT"
    assert _settings(PRODUCTION, expression) == "0"
    assert _settings({**PRODUCTION, "ACCORD_TRUSTED_PROXY_COUNT": "1"}, expression) == "1"

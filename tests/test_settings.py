"""Production settings refuse to start without a secret key and allowed hosts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


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


def test_production_refuses_to_start_without_an_audit_key() -> None:
    result = _check(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "s" * 60,
            "DJANGO_ALLOWED_HOSTS": "accord.example.org",
        }
    )
    assert result.returncode != 0
    assert "ACCORD_AUDIT_KEY must be set" in result.stderr


def test_production_starts_with_both() -> None:
    result = _check(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "s" * 60,
            "DJANGO_ALLOWED_HOSTS": "accord.example.org",
            "ACCORD_AUDIT_KEY": "k" * 64,
        }
    )
    assert result.returncode == 0, result.stderr

"""The suppression threshold comes from ACCORD_SUPPRESSION_THRESHOLD (5 unless set), and a value
under 2 stops Accord from starting: "fewer than 1" would publish every 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _threshold(value: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "accord.settings",
        "ACCORD_ENV_FILE": "",
        "ACCORD_SUPPRESSION_THRESHOLD": value,
    }
    code = "from django.conf import settings; print(settings.ACCORD_SUPPRESSION_THRESHOLD)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_threshold_is_five_unless_set() -> None:
    assert _threshold("").stdout.strip() == "5"
    assert _threshold("10").stdout.strip() == "10"


@pytest.mark.parametrize("value", ["1", "0", "-3", "five"])
def test_a_threshold_under_two_or_not_a_number_stops_the_start(value: str) -> None:
    result = _threshold(value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ACCORD_SUPPRESSION_THRESHOLD" in result.stderr

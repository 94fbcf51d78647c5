"""The production settings pass Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe calls in this process; production never does.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TASVIEH_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_checklist():
    result = deploy_check(
        TASVIEH_SECRET_KEY=secrets.token_urlsafe(50),
        TASVIEH_HTTPS="1",
        TASVIEH_ALLOWED_HOSTS="tasvieh.example.ac.ir",
        TASVIEH_HSTS_SUBDOMAINS="1",
        TASVIEH_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_defaults_are_flagged_for_production():
    result = deploy_check()
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # the demo secret key
    assert "security.W004" in result.stderr + result.stdout  # no HSTS without HTTPS


def test_bad_setting_values_fail_loudly():
    result = deploy_check(TASVIEH_HTTPS="maybe")
    assert result.returncode != 0 and "TASVIEH_HTTPS must be a boolean" in result.stderr

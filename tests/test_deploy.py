"""The production settings pass Django's deployment checklist."""

import os
import re
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
        if not k.startswith("TASVIEH_") and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def documented_environment(secrets_dir: Path) -> dict[str, str]:
    """docs/deploy/tasvieh.env as systemd reads it, its secret files made under secrets_dir."""
    env = {}
    for line in (ROOT / "docs" / "deploy" / "tasvieh.env").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if value.startswith("/etc/tasvieh/"):
            secret = secrets_dir / value.removeprefix("/etc/tasvieh/")
            secret.write_text(
                "postgres://tasvieh@db.example.ac.ir/tasvieh\n"
                if name == "DATABASE_URL_FILE"
                else secrets.token_urlsafe(50) + "\n"
            )
            value = str(secret)
        env[name] = value
    return env


def test_the_documented_production_settings_pass_the_deploy_checklist(tmp_path):
    env = documented_environment(tmp_path)
    assert env["TASVIEH_HTTPS"] == "1" and env["TASVIEH_SECRET_KEY_FILE"].startswith(str(tmp_path))

    result = deploy_check(**env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_secret_is_read_from_its_file_and_both_forms_at_once_are_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file\n")
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT, env={**os.environ, "TASVIEH_SECRET_KEY_FILE": str(key_file)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "from-the-file", shown.stderr

    both = deploy_check(TASVIEH_SECRET_KEY="typed", TASVIEH_SECRET_KEY_FILE=str(key_file))
    assert both.returncode != 0
    assert "set TASVIEH_SECRET_KEY or TASVIEH_SECRET_KEY_FILE, not both" in both.stderr

    missing = deploy_check(TASVIEH_SECRET_KEY_FILE=str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "TASVIEH_SECRET_KEY_FILE: cannot read" in missing.stderr


def test_demo_defaults_are_flagged_for_production():
    result = deploy_check()
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # the demo secret key
    assert "security.W004" in result.stderr + result.stdout  # no HSTS without HTTPS


def test_bad_setting_values_fail_loudly():
    result = deploy_check(TASVIEH_HTTPS="maybe")
    assert result.returncode != 0 and "TASVIEH_HTTPS must be a boolean" in result.stderr


def test_every_unit_runs_a_real_command_and_every_timer_starts_its_service_daily():
    from django.core.management import get_commands

    units = ROOT / "docs" / "deploy"
    for service in units.glob("*.service"):
        for command in re.findall(r"^Exec\w*=.*manage\.py (\w+)", service.read_text(), re.M):
            assert command in get_commands(), f"{service.name}: no manage.py {command}"
    timers = sorted(units.glob("*.timer"))
    assert {t.stem for t in timers} >= {"tasvieh-backup", "tasvieh-digest"}
    for timer in timers:
        assert timer.with_suffix(".service").exists()
        assert "Type=oneshot" in timer.with_suffix(".service").read_text()
        # Every day (or working day) at a fixed time; Persistent catches up after downtime.
        assert re.search(r"^OnCalendar=.*\*-\*-\* \d\d:\d\d", timer.read_text(), re.M), timer.name
        assert "Persistent=true" in timer.read_text()

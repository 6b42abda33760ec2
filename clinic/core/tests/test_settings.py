"""Production settings: fail safe when misconfigured and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "CLINIC_ENVIRONMENT": "production",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-with-entropy-0123456789",
    "ALLOWED_HOSTS": "clinic.example.org",
    "PATH": os.environ.get("PATH", ""),
}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ALLOWED_HOSTS"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_hashes_passwords_with_argon2_and_requires_two_factor():
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0]); print(settings.CLINIC_REQUIRE_2FA)"
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
    ]


def test_production_keeps_database_connections_open_with_health_checks():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["60", "True"]
    result = _manage(
        "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, "DATABASE_CONN_MAX_AGE": "0"}
    )
    assert result.stdout.split()[-2:] == ["0", "True"]


def test_production_has_a_replica_alias_and_its_router_only_when_a_replica_is_named():
    code = (
        "from django.conf import settings; r = settings.DATABASES.get('replica'); "
        "print(settings.DATABASE_ROUTERS, r and (r['HOST'], r['PORT'], r['CONN_MAX_AGE'], "
        "r['CONN_HEALTH_CHECKS']))"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[] None"
    replica_url = "postgres://clinic@replica.internal:5433/clinic"
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={**PRODUCTION_ENV, "DATABASE_REPLICA_URL": replica_url},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "['clinic.core.routing.ReportingReadsRouter'] ('replica.internal', 5433, 60, True)"
    )

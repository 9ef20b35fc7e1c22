"""config/settings.py reads the environment, and a .env file beside manage.py, in that order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Loads a copy of config/settings.py from another folder, so that folder's .env is the one
# read, and prints where the settings put var/.
PRINT_VAR_DIR = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("copied_settings", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(module.VAR_DIR)
print(module.DATABASES["default"]["NAME"])
print(module.REDIS_URL or "-")
"""


def _settings_copy(tmp_path: Path, dotenv: str) -> Path:
    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "settings.py", tmp_path / "config" / "settings.py")
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    return tmp_path / "config" / "settings.py"


def _run(settings_file: Path, **env: str) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        # PYTEST_XDIST_WORKER: a parallel test run would give the child its worker's folder.
        if k not in ("ATRIUM_VAR_DIR", "DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")
    }
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_VAR_DIR, str(settings_file)],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split()


def test_atrium_var_dir_set_in_dotenv_moves_var_and_the_sqlite_file(tmp_path: Path) -> None:
    # given: a .env that puts var/ elsewhere, and no such variable in the environment
    var = tmp_path / "elsewhere"
    settings_file = _settings_copy(tmp_path, f"ATRIUM_VAR_DIR={var}\n")

    # when
    var_dir, database, _redis = _run(settings_file)

    # then: var/ and everything under it follow the .env
    assert var_dir == str(var)
    assert database == str(var / "atrium.sqlite3")
    assert (var / "broker").is_dir()


def test_a_real_environment_variable_wins_over_dotenv(tmp_path: Path) -> None:
    settings_file = _settings_copy(tmp_path, f"ATRIUM_VAR_DIR={tmp_path / 'from-dotenv'}\n")

    var_dir, _database, _redis = _run(settings_file, ATRIUM_VAR_DIR=str(tmp_path / "from-env"))

    assert var_dir == str(tmp_path / "from-env")


def test_parallel_test_workers_each_get_their_own_var_folder_and_redis_database(
    tmp_path: Path,
) -> None:
    # given: the settings as the second worker of a parallel test run sees them
    settings_file = _settings_copy(tmp_path, "")
    base = str(tmp_path / "var")
    # when
    redis = "redis://127.0.0.1:6379/11"
    gw0 = _run(settings_file, ATRIUM_VAR_DIR=base, REDIS_URL=redis, PYTEST_XDIST_WORKER="gw0")
    gw1 = _run(settings_file, ATRIUM_VAR_DIR=base, REDIS_URL=redis, PYTEST_XDIST_WORKER="gw1")
    # then: neither worker's file cache, broker or mail files meet the other's
    assert gw0[0] == str(tmp_path / "var" / "gw0")
    assert gw1[0] == str(tmp_path / "var" / "gw1")
    assert (gw0[2], gw1[2]) == ("redis://127.0.0.1:6379/11", "redis://127.0.0.1:6379/12")

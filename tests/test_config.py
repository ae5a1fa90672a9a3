"""Settings from the environment and a TOML file, with clear errors for bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from caunoi.config import load_settings, parse_bool


def test_fetch_settings_from_the_environment():
    settings = load_settings(
        env={
            "CAUNOI_OBEY_ROBOTS": "false",
            "CAUNOI_FETCH_PER_HOST_INTERVAL": "0.5",
            "CAUNOI_FETCH_CONCURRENCY": "4",
        }
    )
    assert settings.obey_robots is False
    assert settings.fetch_per_host_interval == 0.5 and settings.fetch_concurrency == 4
    assert load_settings(env={}).obey_robots is True


def test_fetch_settings_from_toml(tmp_path):
    path = tmp_path / "caunoi.toml"
    path.write_text(
        "[caunoi]\nfetch_deadline = 30\nobey_robots = true\nwatch_window_days = 5\n", encoding="utf-8"
    )
    settings = load_settings(env={"CAUNOI_CONFIG": str(path)})
    assert (settings.fetch_deadline, settings.obey_robots, settings.watch_window_days) == (30.0, True, 5)


@pytest.mark.parametrize(
    "value, expected", [("yes", True), ("ON", True), ("0", False), ("", False), (True, True)]
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


def test_a_bad_setting_is_one_line_error(tmp_path):
    with pytest.raises(ValueError, match="setting obey_robots must be true or false"):
        load_settings(env={"CAUNOI_OBEY_ROBOTS": "maybe"})
    env = {**os.environ, "CAUNOI_DATA": str(tmp_path), "CAUNOI_FETCH_CONCURRENCY": "many"}
    proc = subprocess.run([sys.executable, "-m", "caunoi", "stats"], env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip().startswith("error: bad settings:") and len(proc.stderr.strip().splitlines()) == 1
    )

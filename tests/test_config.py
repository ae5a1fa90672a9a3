"""Settings from the environment and a TOML file, with clear errors for bad values."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO

from caunoi.config import SETTINGS, Settings, load_settings, misspelt_variables, parse_bool


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


def test_every_setting_is_declared_with_a_line_of_help():
    fields = [f.name for f in dataclasses.fields(Settings) if f.name != "extra"]
    assert [s.name for s in SETTINGS] == fields
    for setting in SETTINGS:
        assert setting.help.strip() and "\n" not in setting.help, setting.name
        assert setting.default == getattr(Settings(), setting.name)
    variables = {s.name: s.env for s in SETTINGS}
    assert variables["data_dir"] == "CAUNOI_DATA" and variables["taxonomy_path"] == "CAUNOI_TAXONOMY"
    assert variables["fetch_timeout"] == "CAUNOI_FETCH_TIMEOUT" and variables["executor"] == "CAUNOI_EXECUTOR"


def test_an_unknown_key_is_a_warning_naming_the_closest_setting(tmp_path, caplog):
    path = tmp_path / "caunoi.toml"
    path.write_text("[caunoi]\nfetch_timout = 5\nworkers = 2\ncolour = 'blue'\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="caunoi.config"):
        settings = load_settings(env={"CAUNOI_CONFIG": str(path)})
    assert settings.workers == 2 and settings.fetch_timeout == 20.0  # the misspelt key is not applied
    assert settings.extra == {"fetch_timout": 5, "colour": "blue"}  # kept, as it always was
    assert [r.getMessage() for r in caplog.records] == [
        f"unknown setting 'fetch_timout' in {path}: did you mean 'fetch_timeout'?",
        f"unknown setting 'colour' in {path}",
    ]


def test_a_misspelt_variable_is_a_warning_and_other_caunoi_variables_are_left_alone(caplog):
    with caplog.at_level(logging.WARNING, logger="caunoi.config"):
        settings = load_settings(
            env={"CAUNOI_WORKER": "2", "CAUNOI_DATA_DIR": "/srv/caunoi", "CAUNOI_USER": "lan"}
        )
    assert settings.workers == 0
    assert [r.getMessage() for r in caplog.records] == [
        "unknown environment variable 'CAUNOI_DATA_DIR': did you mean 'CAUNOI_DATA'?",
        "unknown environment variable 'CAUNOI_WORKER': did you mean 'CAUNOI_WORKERS'?",
    ]


def test_the_caunoi_variables_the_code_reads_are_settings_or_not_taken_for_misspelt_ones():
    """CAUNOI_CONFIG, CAUNOI_USER, CAUNOI_TEST_PG_URL, CAUNOI_SHARED_DATA, … set in a shell must
    not make every run warn: a new one that looks like a setting's variable fails here."""
    read = set()
    for path in [*REPO.glob("caunoi/**/*.py"), *REPO.glob("tests/**/*.py"), *REPO.glob("benchmarks/**/*.py"),
                 *REPO.glob("tools/**/*.py"), REPO / "Makefile"]:  # fmt: skip
        if path not in (REPO / "caunoi" / "config.py", REPO / "tests" / "test_config.py"):  # examples
            read.update(re.findall(r"\bCAUNOI_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    assert {"CAUNOI_CONFIG", "CAUNOI_USER", "CAUNOI_TEST_PG_URL", "CAUNOI_SHARED_DATA"} <= read
    assert misspelt_variables(dict.fromkeys(read, "1")) == {}


def test_taxonomy_path_from_toml_and_from_caunoi_taxonomy(tmp_path):
    path = tmp_path / "caunoi.toml"
    path.write_text('taxonomy_path = "/srv/topics.yaml"\n', encoding="utf-8")
    assert load_settings(env={"CAUNOI_CONFIG": str(path)}).taxonomy_path == "/srv/topics.yaml"
    assert load_settings(env={"CAUNOI_TAXONOMY": "mine.yaml"}).taxonomy_path == "mine.yaml"
    both = {"CAUNOI_CONFIG": str(path), "CAUNOI_TAXONOMY": "mine.yaml"}
    assert load_settings(env=both).taxonomy_path == "mine.yaml"  # the variable wins, as for every setting
    assert load_settings(env={}).taxonomy_path == ""  # the shipped file


def test_a_value_out_of_its_choices_is_refused_naming_them():
    with pytest.raises(
        ValueError, match="setting executor must be in-process, process-pool or ray, got 'threads'"
    ):
        Settings(executor="threads")
    with pytest.raises(ValueError, match="setting cookie_secure must be auto, true or false, got 'yes'"):
        load_settings(env={"CAUNOI_COOKIE_SECURE": "yes"})
    assert Settings(executor="ray", ray_address="ray://head:10001").workers == 0

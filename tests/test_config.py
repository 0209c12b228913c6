"""Settings from the environment: a bad one is refused with a line naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradescreen.cli import app
from tradescreen.config import ConfigError, load_settings

runner = CliRunner()


def _fails(args: list[str], *expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("variable", ["TRADESCREEN_MATCH_THRESHOLD",
                                      "TRADESCREEN_REVIEW_THRESHOLD"])
@pytest.mark.parametrize("value", ["high", "0,7", "nan", ""])
def test_threshold_that_is_not_a_number_names_the_variable(
    home: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    if not value:  # unset in effect: the default applies
        assert load_settings().match_threshold == 0.70
        return
    _fails(["screen", "Qods Aviation Industry"], variable, "not a number")
    _fails(["lists", "status"], variable)
    _fails(["keys", "list"], variable)  # keys commands read the settings too


def test_match_threshold_below_review_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRADESCREEN_MATCH_THRESHOLD", "0.4")
    _fails(["screen", "Qods Aviation Industry"],
           "TRADESCREEN_MATCH_THRESHOLD", "TRADESCREEN_REVIEW_THRESHOLD", "below")
    monkeypatch.setenv("TRADESCREEN_REVIEW_THRESHOLD", "0.3")
    settings = load_settings()
    assert (settings.match_threshold, settings.review_threshold) == (0.4, 0.3)


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_threshold_out_of_range(home: Path, monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("TRADESCREEN_REVIEW_THRESHOLD", value)
    with pytest.raises(ConfigError, match="TRADESCREEN_REVIEW_THRESHOLD.*between 0 and 1"):
        load_settings()


def test_home_that_is_a_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    file = tmp_path / "not-a-dir"
    file.write_text("x")
    monkeypatch.setenv("TRADESCREEN_HOME", str(file))
    _fails(["lists", "status"], "TRADESCREEN_HOME", "is a file, not a directory")
    _fails(["screen", "Qods Aviation Industry"], "TRADESCREEN_HOME", "is a file")
    monkeypatch.setenv("TRADESCREEN_HOME", str(file / "below"))
    _fails(["lists", "status"], "TRADESCREEN_HOME", "cannot create the directory")
    assert file.read_text() == "x"


def test_retention_days_not_a_number(home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRADESCREEN_AUDIT_RETENTION_DAYS", "ten years")
    with pytest.raises(ConfigError, match="TRADESCREEN_AUDIT_RETENTION_DAYS"):
        load_settings()


def test_bad_threshold_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "fresh"
    monkeypatch.setenv("TRADESCREEN_HOME", str(home))
    monkeypatch.setenv("TRADESCREEN_MATCH_THRESHOLD", "x")
    _fails(["lists", "status"], "TRADESCREEN_MATCH_THRESHOLD")
    assert not home.exists()

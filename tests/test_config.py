"""Settings: defaults < file < env < CLI."""
from __future__ import annotations

import pytest
import typer

from newsweave.cli import parse_duration
from newsweave.config import Settings, load_settings


def test_layers(tmp_path):
    f = tmp_path / "nw.toml"
    f.write_text('[newsweave]\ndb = "file.db"\nmax_redirects = 3\nread_timeout = 5\n')
    assert load_settings(env={}) == Settings()
    s = load_settings(f, env={})
    assert (s.db, s.max_redirects, s.read_timeout) == ("file.db", 3, 5.0)
    s = load_settings(f, env={"NEWSWEAVE_DB": "env.db", "NEWSWEAVE_ALLOW_PRIVATE": "yes"})
    assert s.db == "env.db" and s.allow_private is True and s.max_redirects == 3
    s = load_settings(f, env={"NEWSWEAVE_DB": "env.db"}, db="cli.db")
    assert s.db == "cli.db"
    assert load_settings(env={"NEWSWEAVE_CONFIG": str(f)}).db == "file.db"


def test_bad_values_are_errors():
    with pytest.raises(ValueError):
        load_settings(env={"NEWSWEAVE_MAX_BYTES": "lots"})


def test_event_threshold():
    assert Settings().event_threshold is None  # the fitted value
    assert load_settings(env={"NEWSWEAVE_EVENT_THRESHOLD": "0.6"}).event_threshold == 0.6
    with pytest.raises(ValueError, match=r"event_threshold \(NEWSWEAVE_EVENT_THRESHOLD\) must be a "
                                         r"number, got 'tight'"):
        load_settings(env={"NEWSWEAVE_EVENT_THRESHOLD": "tight"})
    for bad in ("0", "1", "1.5", "-0.2", "nan", "tight"):
        with pytest.raises(ValueError):
            load_settings(env={"NEWSWEAVE_EVENT_THRESHOLD": bad})
    with pytest.raises(ValueError, match="between 0 and 1"):
        Settings().with_overrides(event_threshold=2.0)


@pytest.mark.parametrize("text,seconds", [("15m", 900), ("1h", 3600), ("30s", 30), ("90", 90),
                                          ("2h30m", 9000), ("1d", 86400)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "15x", "m15", ""])
def test_bad_durations(text):
    with pytest.raises(typer.BadParameter):
        parse_duration(text)

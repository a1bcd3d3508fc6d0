"""Shared fixtures: paths to the real data beside the project."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is not present (evaluation data lives beside the project)")
    return p


@pytest.fixture
def seeds_dir() -> Path:
    """The two canonical seed articles (bundled in examples/seeds)."""
    return EXAMPLES / "seeds"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A store built from the bundled demo corpus with the CLI, once per test session.

    Tests must not change it (copy it first if they do)."""
    from typer.testing import CliRunner

    from newsweave.cli import app

    db = tmp_path_factory.mktemp("demo") / "demo.db"
    r = CliRunner().invoke(app, ["--db", str(db), "ingest", str(EXAMPLES / "seeds"),
                                 str(EXAMPLES / "wikinews" / "wikinews.jsonl")])
    assert r.exit_code == 0, r.output
    assert "42 stored" in r.output
    return db

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

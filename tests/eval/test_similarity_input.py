"""`eval similarity` on inputs other than the labelled sample: a test split, a wrong CSV."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsweave.cli import app
from newsweave.errors import InputError
from newsweave.eval.similarity import run_similarity_eval

TEXTS = [("Chinese defence minister Li Shangfu met Vladimir Putin in Moscow.",
          "Le ministre chinois de la Défense a été reçu par Vladimir Poutine à Moscou."),
         ("The goalkeeper will miss the rest of the season.", "A storm hit the coast on Monday."),
         ("", "An empty text on one side still gets a score.")]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_unlabelled_pairs_still_get_predictions(tmp_path: Path) -> None:
    src = _write(tmp_path / "test.csv", ["pair_id", "lang1", "lang2", "text1", "text2"],
                 [[f"{i}_{i + 10}", "en", "fr", a, b] for i, (a, b) in enumerate(TEXTS)])
    out = tmp_path / "pred.csv"
    result = run_similarity_eval(src, predictions_out=out)
    assert result.n_pairs == 0 and math.isnan(result.newsweave)
    assert "too few to correlate" in result.table()
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["pair_id"] for r in rows] == ["0_10", "1_11", "2_12"]
    scores = [float(r["similarity"]) for r in rows]
    assert all(0.0 <= s <= 1.0 for s in scores) and scores[0] > scores[1]


def test_a_csv_without_texts_is_refused_with_its_name(tmp_path: Path) -> None:
    src = _write(tmp_path / "wrong.csv", ["pair_id", "text1"], [["1_2", "only one text"]])
    with pytest.raises(InputError, match="text2"):
        run_similarity_eval(src)
    res = CliRunner().invoke(app, ["eval", "similarity", str(src)])
    assert res.exit_code == 2
    assert "wrong.csv" in res.output and "no text2 column" in res.output

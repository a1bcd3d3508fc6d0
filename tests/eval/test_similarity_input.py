"""`eval similarity` on inputs other than the labelled sample: a test split, a wrong CSV."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
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


def test_suffixed_pairs_train_the_head_and_bad_scores_are_skipped(tmp_path: Path, monkeypatch) -> None:
    from newsweave.eval import similarity as sim

    header = ["pair_id", "lang1", "lang2", "text1", "text2", "Overall"]
    rows = []
    for i in range(12):  # original pairs: alternately the same story and unrelated ones
        a, b = TEXTS[0] if i % 2 == 0 else TEXTS[1]
        rows.append([f"{i}_{i + 100}", "en", "fr", f"{a} ({i})", f"{b} ({i})", "1.0" if i % 2 == 0 else "4.0"])
    rows.append(["50_150", "en", "en", TEXTS[0][0], TEXTS[0][1], "n/a"])  # original, no number
    rows.append(["60zh_160zh", "zh", "zh", "北京今天下雨。", "北京今天下大雨。", "1.5"])  # suffixed
    rows.append(["70it_170it", "it", "it", "Piove a Roma.", "Il Milan ha vinto.", "4"])  # suffixed
    rows.append(["80it_180it", "it", "it", "Senza punteggio.", "Nessun punteggio.", ""])
    src = _write(tmp_path / "small.csv", header, rows)
    all_rows = sim._read_csv(src)
    assert [r["pair_id"] for r in all_rows if sim._scored(r)] == [f"{i}_{i + 100}" for i in range(12)]
    assert [r["pair_id"] for r in sim._extra_rows(all_rows)] == ["60zh_160zh", "70it_170it"]

    seen: list[int] = []
    real = sim.out_of_fold

    def spy(H, y, weights=None, **kw):
        seen.append(int(np.sum(weights == sim.EXTRA_WEIGHT)))
        return real(H, y, weights, **kw)

    monkeypatch.setattr(sim, "out_of_fold", spy)
    out = tmp_path / "pred.csv"
    said: list[str] = []
    result = run_similarity_eval(src, predictions_out=out, progress=said.append)
    assert said[0] == "small.csv: 16 pairs, 12 scored original pairs, 2 other scored pairs to train on; loading the models"
    assert said[-1] == f"cross-validating: split {len(sim.CV_SPLITS)} of {len(sim.CV_SPLITS)}"
    assert result.n_pairs == 12 and math.isfinite(result.newsweave_cv)
    assert seen and all(n == 2 for n in seen)  # every fold's head saw the two suffixed pairs
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == len(rows)


def test_languages_from_the_task_columns_or_detected(tmp_path: Path) -> None:
    # The task's own files name the languages url1_lang / url2_lang; a file with neither
    # column gets them detected from the texts. Either way the same features as with lang1/2.
    from newsweave.eval.similarity import _languages

    rows = [{"pair_id": "1_2", "url1_lang": "fr", "url2_lang": "en", "text1": TEXTS[0][1],
             "text2": TEXTS[0][0]},
            {"pair_id": "3_4", "text1": "Der Bundestag hat am Donnerstag ein neues Gesetz "
             "zur Förderung erneuerbarer Energien beschlossen.", "text2": TEXTS[1][0]},
            {"pair_id": "5_6", "lang1": "es", "lang2": " ", "text1": "x", "text2": TEXTS[1][1]}]
    assert _languages(rows, "1") == ["fr", "de", "es"]
    assert _languages(rows, "2") == ["en", "en", "en"]
    src = _write(tmp_path / "task.csv", ["pair_id", "url1_lang", "url2_lang", "text1", "text2"],
                 [["7_8", "en", "fr", *TEXTS[0]]])
    out = tmp_path / "pred.csv"
    run_similarity_eval(src, predictions_out=out)
    assert float(next(csv.DictReader(out.open(encoding="utf-8")))["similarity"]) > 0.3

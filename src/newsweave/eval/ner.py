"""NER evaluation on CoNLL-2003 English: entity-level exact match, per type, like seqeval.

CoNLL sentences come tokenised; each is rebuilt as text with single spaces, run through the
production path (``EntityRecognizer.recognize`` then ``clean_mentions``), and every predicted
char span is mapped back onto the tokens it covers. IOB1 tags are converted to IOB2 spans.
Our types are already CoNLL's (spaCy PERSON -> PER, GPE/LOC/FAC -> LOC, NORP and others -> MISC).
Overall F1 is over PER, ORG and LOC (micro); MISC, whose definition differs most between
OntoNotes and CoNLL, is reported on its own.

Run: ``python -m newsweave.eval.ner ../shared/eval/ner/eng.testa [--limit N]``
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from .metrics import PRF

__all__ = ["NerEvalResult", "TypeScore", "read_conll", "iob1_to_spans", "run_ner_eval"]

CORE_TYPES = ("PER", "ORG", "LOC")


@dataclass
class TypeScore(PRF):
    tp: int = 0
    fp: int = 0
    fn: int = 0


@dataclass
class NerEvalResult:
    """Per-type and overall scores of one run."""

    per_type: dict[str, TypeScore] = field(default_factory=dict)
    sentences: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def overall(self, types: tuple[str, ...] = CORE_TYPES) -> TypeScore:
        """Micro-averaged score over the given types."""
        total = TypeScore()
        for t in types:
            s = self.per_type.get(t, TypeScore())
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total

    @property
    def overall_f1(self) -> float:
        return self.overall().f1

    def table(self) -> str:
        """A printable table: P/R/F1 and support per type, then overall."""
        rows = [f"{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}"]
        for t in (*CORE_TYPES, "MISC"):
            s = self.per_type.get(t, TypeScore())
            rows.append(f"{t:<14}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp + s.fn:7d}")
        for label, types in (("PER+ORG+LOC", CORE_TYPES), ("all four", (*CORE_TYPES, "MISC"))):
            s = self.overall(types)
            rows.append(f"{label:<14}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp + s.fn:7d}")
        rate = self.tokens / self.seconds if self.seconds else 0.0
        rows.append(f"{self.sentences} sentences, {self.tokens} tokens, {self.seconds:.1f} s "
                    f"({rate:,.0f} tokens/s)")
        return "\n".join(rows)


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of a CoNLL-2003 file as (tokens, NER tags), document markers skipped."""
    sentences: list[tuple[list[str], list[str]]] = []
    toks: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if toks:
                    sentences.append((toks, tags))
                toks, tags = [], []
                continue
            toks.append(parts[0])
            tags.append(parts[-1])
    if toks:
        sentences.append((toks, tags))
    return sentences


def iob1_to_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (first token, end token, type) from IOB1 or IOB2 tags."""
    spans: set[tuple[int, int, str]] = set()
    start, cur = -1, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, etype = tag.partition("-")
        # IOB1: I- continues a same-type entity; B- only separates two adjacent same-type ones
        begins = prefix == "B" or (prefix == "I" and etype != cur)
        if cur is not None and (prefix == "O" or begins):
            spans.add((start, i, cur))
            cur = None
        if begins:
            start, cur = i, etype
    return spans


def _token_spans(pred: list[tuple[int, int, str]], offsets: list[tuple[int, int]]) -> set[tuple[int, int, str]]:
    out: set[tuple[int, int, str]] = set()
    for s, e, t in pred:
        covered = [i for i, (ts, te) in enumerate(offsets) if ts < e and s < te]
        if covered:
            out.add((covered[0], covered[-1] + 1, t))
    return out


def run_ner_eval(conll_path: Path, limit: int | None = None, clean: bool = True) -> NerEvalResult:
    """Score the recogniser (and, by default, the mention cleaner) on a CoNLL-2003 file."""
    from newsweave.stages.entities import EntityRecognizer
    from newsweave.stages.entity_clean import clean_mentions

    sentences = read_conll(Path(conll_path))
    if limit is not None:
        sentences = sentences[:limit]
    texts: list[str] = []
    offsets: list[list[tuple[int, int]]] = []
    for toks, _tags in sentences:
        pos, offs = 0, []
        for tok in toks:
            offs.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        texts.append(" ".join(toks))
        offsets.append(offs)
    recognizer = EntityRecognizer(languages=("en",))
    recognizer.setup()
    started = time.perf_counter()
    predicted = recognizer.recognize([(t, "en") for t in texts])
    if clean:
        predicted = [clean_mentions(ms, t) for ms, t in zip(predicted, texts)]
    seconds = time.perf_counter() - started
    counts: dict[str, Counter[str]] = {}
    for (toks, tags), offs, mentions in zip(sentences, offsets, predicted):
        gold = iob1_to_spans(tags)
        pred = _token_spans([(m.start, m.end, m.type) for m in mentions], offs)
        for s in pred | gold:
            c = counts.setdefault(s[2], Counter())
            c["tp" if s in pred and s in gold else "fp" if s in pred else "fn"] += 1
    result = NerEvalResult(
        per_type={t: TypeScore(c["tp"], c["fp"], c["fn"]) for t, c in counts.items()},
        sentences=len(sentences), tokens=sum(len(t) for t, _ in sentences), seconds=seconds,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    """Print the score table for a CoNLL file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("conll", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--raw", action="store_true", help="score the recogniser without cleaning")
    args = ap.parse_args(argv)
    print(run_ner_eval(args.conll, args.limit, clean=not args.raw).table())


if __name__ == "__main__":
    main()

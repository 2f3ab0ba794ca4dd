"""Calibrate the refusal threshold (and how the evidence is weighed) on the TUNE split of the question sets.

    python bench/calibrate.py --split tune \
        --set bench/questions.jsonl:corpus:index \
        --set bench/messy/questions.jsonl:bench/out/messy/messy:bench/out/index-messy \
        --set bench/law_questions.jsonl:bench/out/messy/clean:bench/out/index-clean

Each set is question file, corpus folder and index folder (built beforehand with `policybot index`). Every question
that search answers (not a rule: a clause number, a heading, a definition, metadata) is answered without a threshold
and its Evidence kept; then every weighing of the evidence (shares and factors) and every threshold is tried, and the one that refuses
fewest in-scope and answers fewest out-of-scope questions is printed (a file without a split counts whole). The
result is copied by hand into policybot/answer/answerer.py (DENSE_SHARE, KNOWN_SHARE, SAID_SHARE, MIN_CONFIDENCE, UNKNOWN_SUBJECT_FACTOR, MISSING_SUBJECT_FACTOR, MISSING_FACT_FACTOR), and
reported on the test split with `policybot eval … --split test`, never on the questions it was chosen on.

--folds K first asks whether calibrating pays at all: the questions are dealt into K folds by their text, each fold
is scored by weights calibrated on the others, and that out-of-fold cost is printed beside the cost of the weights
now in answerer.py. Copy a new weighing only when it wins there.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import zlib
from pathlib import Path

import numpy as np

from policybot.answer.answerer import (
    DENSE_SHARE,
    KNOWN_SHARE,
    MIN_CONFIDENCE,
    MISSING_FACT_FACTOR,
    MISSING_SUBJECT_FACTOR,
    SAID_SHARE,
    UNKNOWN_SUBJECT_FACTOR,
    Answerer,
    Conversation,
    Evidence,
)
from policybot.bot import PolicyBot
from policybot.evaluate import _first_cited, read_questions
from policybot.settings import Settings

STEP = 0.1
THRESHOLDS = [t / 100 for t in range(5, 90)]
UNKNOWN_FACTORS = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]  # 1.0: an unknown subject does not count
SUBJECT_FACTORS = [1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]  # the same for a subject the cited document never names
FACT_FACTORS = [0.6, 0.5, 0.4, 0.3, 0.2]  # the same for a clause without the kind of fact asked for


def collect(spec: str, split: str) -> list[tuple[str, Evidence, str]]:
    """(label, evidence, question) for each search-answered question of one set: "right", "wrong" (in scope, but the
    first citation does not answer) or "oos"."""
    questions_file, corpus, index = spec.split(":")
    bot = PolicyBot(Settings.from_env(corpus_dir=Path(corpus), index_dir=Path(index)))
    bot.ensure_index()
    answerer = Answerer(bot.finder, bot.retriever, bot.segmenter, bot.index.vocabulary(), min_confidence=0.0)
    path = Path(questions_file)
    has_split = any(q.split for q in read_questions(path))
    out = []
    for q in read_questions(path, split if has_split else ""):
        answer = answerer.ask(q.q, Conversation())
        if answer.evidence is None:
            continue
        label = "oos" if not q.in_scope else ("right" if q.answered_by(_first_cited(answer)) else "wrong")
        out.append((label, answer.evidence, q.q))
    return out


def errors(
    data: list[tuple[str, Evidence, str]],
    shares: tuple[float, float, float],
    threshold: float,
    unknown_factor: float = UNKNOWN_SUBJECT_FACTOR,
    subject_factor: float = MISSING_SUBJECT_FACTOR,
    fact_factor: float = MISSING_FACT_FACTOR,
) -> dict[str, float]:
    """Shares of in-scope questions refused and of out-of-scope questions answered, under these weights."""
    refused = {"right": 0, "wrong": 0, "oos": 0}
    total = {"right": 0, "wrong": 0, "oos": 0}
    for label, evidence, _ in data:
        total[label] += 1
        refused[label] += evidence.confidence(shares, unknown_factor, subject_factor, fact_factor) < threshold
    in_scope = total["right"] + total["wrong"]
    return {
        "in_scope_refused": (refused["right"] + refused["wrong"]) / max(1, in_scope),
        "right_refused": refused["right"] / max(1, total["right"]),
        "oos_answered": 1 - refused["oos"] / max(1, total["oos"]),
        "counts": total,
    }


def best_weighing(data: list[tuple[str, Evidence, str]]) -> tuple:
    """The shares, threshold and factors that refuse fewest in-scope and answer fewest out-of-scope questions."""
    grid = [
        (round(d, 2), round(k, 2), round(1 - d - k, 2))
        for d, k in itertools.product([i * STEP for i in range(0, 8)], repeat=2)
        if 1 - d - k >= -1e-9
    ]
    labels = np.array([label for label, _, _ in data])
    thresholds = np.array(THRESHOLDS)
    best = None
    for shares, factor, subject, fact in itertools.product(grid, UNKNOWN_FACTORS, SUBJECT_FACTORS, FACT_FACTORS):
        scores = np.array([evidence.confidence(shares, factor, subject, fact) for _, evidence, _ in data])
        refused = scores[:, None] < thresholds[None, :]  # questions × thresholds
        in_scope_refused = refused[labels != "oos"].mean(axis=0)
        oos_answered = 1 - refused[labels == "oos"].mean(axis=0)
        costs = in_scope_refused + oos_answered
        i = int(np.argmin(costs))
        if best is None or costs[i] < best[0] - 1e-9:
            best = (costs[i], shares, THRESHOLDS[i], factor, subject, fact)
    assert best is not None
    return best


def cost(data: list[tuple[str, Evidence, str]], shares, threshold, factor, subject, fact) -> float:
    e = errors(data, shares, threshold, factor, subject, fact)
    return e["in_scope_refused"] + e["oos_answered"]


def cross_validated(data: list[tuple[str, Evidence, str]], folds: int) -> None:
    """Out-of-fold cost of calibrating afresh against keeping the weights in answerer.py: the questions are dealt
    into folds by their text (a question asked of the clean and the scraped corpus stays in one fold)."""
    fold_of = {
        q: i % folds for i, q in enumerate(sorted({q for _, _, q in data}, key=lambda t: zlib.crc32(t.encode())))
    }
    fresh = kept = 0.0
    for f in range(folds):
        train = [d for d in data if fold_of[d[2]] != f]
        held = [d for d in data if fold_of[d[2]] == f]
        _, *weighing = best_weighing(train)
        fresh += cost(held, *weighing) / folds
        kept += cost(held, (DENSE_SHARE, KNOWN_SHARE, SAID_SHARE), MIN_CONFIDENCE, UNKNOWN_SUBJECT_FACTOR,
                     MISSING_SUBJECT_FACTOR, MISSING_FACT_FACTOR) / folds  # fmt: skip
    print(f"{folds}-fold out-of-fold cost (in-scope refused + out-of-scope answered): calibrated afresh {fresh:.3f}, "
          f"the weights now {kept:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", required=True, help="questions.jsonl:corpus_dir:index_dir")
    parser.add_argument("--split", default="tune", choices=("tune",), help="only tune: never calibrate on test")
    parser.add_argument("--folds", type=int, default=0, help="also cross-validate the calibration in K folds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    data = [item for spec in args.set for item in collect(spec, args.split)]
    _, shares, threshold, factor, subject, fact = best_weighing(data)
    e = errors(data, shares, threshold, factor, subject, fact)
    print(f"{len(data)} search-answered tune questions: {e['counts']}")
    print(f"best: DENSE_SHARE, KNOWN_SHARE, SAID_SHARE = {shares}; MIN_CONFIDENCE = {threshold:.2f}; "
          f"UNKNOWN_SUBJECT_FACTOR = {factor}; MISSING_SUBJECT_FACTOR = {subject}; MISSING_FACT_FACTOR = {fact}")  # fmt: skip
    print(f"  in-scope refused {e['in_scope_refused']:.3f} (right ones {e['right_refused']:.3f}), "
          f"out-of-scope answered {e['oos_answered']:.3f}")  # fmt: skip
    current = errors(data, (DENSE_SHARE, KNOWN_SHARE, SAID_SHARE), MIN_CONFIDENCE)
    print(f"the shares in policybot/answer/answerer.py now: {replace_counts(current)}")
    if args.folds > 1:
        cross_validated(data, args.folds)


def replace_counts(e: dict) -> str:
    return f"in-scope refused {e['in_scope_refused']:.3f}, out-of-scope answered {e['oos_answered']:.3f}"


if __name__ == "__main__":
    main()

"""Check bench/messy/questions.jsonl against the corpus make_messy.py writes.

    python bench/messy/check_questions.py [--corpus OUT_DIR]

Without --corpus the corpus is generated into a temporary folder first. For every question it asserts: the fields and
their values are valid; an out-of-scope question has empty doc, sentence and key; otherwise the document exists in
clean/ and messy/, the sentence is a whole sentence (it starts a line or follows 。！？, and ends with 。！？ or the
line) found exactly once in the clean file and verbatim in the messy file, and the key is in the sentence; for a
"deep" question the sentence is not the first of its paragraph (line) and that paragraph has 400 characters or more.
It warns when the key also occurs in another sentence of the same document, and prints the counts per kind and split.
Laws are checked only when the lawrefbook corpus is there (make_messy skips them otherwise). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.jsonl"
FIELDS = ("q", "doc", "sentence", "key", "split", "kind")
KINDS = ("deep", "fact", "law", "oos")
SPLITS = ("tune", "test")
ENDS = "。！？"
DEEP_MIN_PARAGRAPH = 400
MIN_TOTAL, MIN_DEEP, MIN_OOS = 130, 100, 15


def sentences_of(line: str) -> list[str]:
    """A line cut after each 。！？ (the last piece may have no end mark)."""
    out, start = [], 0
    for i, ch in enumerate(line):
        if ch in ENDS:
            out.append(line[start : i + 1])
            start = i + 1
    if line[start:].strip():
        out.append(line[start:])
    return out


def make_corpus(out_dir: Path) -> None:
    """Run make_messy.py into out_dir."""
    subprocess.run([sys.executable, str(HERE / "make_messy.py"), str(out_dir)], check=True)


def check_row(where: str, row: dict, corpus: Path, clean: dict, messy: dict, seen: set[str]) -> int:
    """Assert the rules for one question; 1 when it names a law that is not in the corpus. Raises Warning when the
    key is also in another sentence of the document."""
    assert tuple(row) == FIELDS, f"{where}: fields {tuple(row)}, expected {FIELDS}"
    assert all(isinstance(row[f], str) for f in FIELDS), f"{where}: every field is a string"
    assert row["q"].strip() and row["q"] not in seen, f"{where}: empty or repeated question"
    seen.add(row["q"])
    assert row["kind"] in KINDS and row["split"] in SPLITS, f"{where}: kind {row['kind']}, split {row['split']}"
    if row["kind"] == "oos":
        assert row["doc"] == row["sentence"] == row["key"] == "", f"{where}: oos has doc, sentence or key"
        return 0
    sentence, key, doc = row["sentence"], row["key"], row["doc"]
    assert key and key in sentence, f"{where}: key {key!r} not in the sentence"
    if doc not in clean:
        assert row["kind"] == "law", f"{where}: no document {doc!r} in {corpus / 'clean'}"
        return 1
    text = clean[doc].read_text(encoding="utf-8")
    assert text.count(sentence) == 1, f"{where}: sentence found {text.count(sentence)} times in {doc}"
    assert sentence in messy[doc].read_text(encoding="utf-8"), f"{where}: sentence not verbatim in messy/{doc}"
    paragraph = next(line for line in text.splitlines() if sentence in line)
    parts = sentences_of(paragraph)
    assert sentence in parts, f"{where}: not a whole sentence of its paragraph"
    if row["kind"] == "deep":
        assert parts.index(sentence) > 0, f"{where}: deep, but the first sentence of its paragraph"
        assert len(paragraph) >= DEEP_MIN_PARAGRAPH, f"{where}: deep, but its paragraph has {len(paragraph)} chars"
    others = [s for line in text.splitlines() for s in sentences_of(line) if key in s and s != sentence]
    if others:
        raise Warning(f"{where}: key {key!r} also in {others[0][:40]}…")
    return 0


def check(corpus: Path) -> int:
    """Assert every rule above; return the number of warnings."""
    clean = {p.stem: p for p in (corpus / "clean").iterdir()}
    messy = {p.stem: p for p in (corpus / "messy").iterdir()}
    assert clean.keys() == messy.keys(), "clean/ and messy/ list different documents"
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    warnings = skipped = 0
    seen: set[str] = set()
    errors: list[str] = []
    for n, row in enumerate(rows, 1):
        try:
            skipped += check_row(f"{QUESTIONS.name}:{n} {row.get('q', '')!r}", row, corpus, clean, messy, seen)
        except AssertionError as exc:
            errors.append(str(exc))
        except Warning as exc:
            warnings += 1
            print(f"warning: {exc}", file=sys.stderr)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    assert not errors, f"{len(errors)} questions fail the checks"
    kinds = Counter(r["kind"] for r in rows)
    splits = Counter((r["kind"], r["split"]) for r in rows)
    assert len(rows) >= MIN_TOTAL and kinds["deep"] >= MIN_DEEP and kinds["oos"] >= MIN_OOS, f"too few: {kinds}"
    print(f"{len(rows)} questions, {len(clean)} documents: " + ", ".join(f"{k} {kinds[k]}" for k in KINDS))
    for k in KINDS:
        print(f"  {k}: tune {splits[(k, 'tune')]}, test {splits[(k, 'test')]}")
    if skipped:
        print(f"  {skipped} law questions not checked: their documents are not in the corpus (lawrefbook absent?)")
    print(f"ok ({warnings} warnings)")
    return warnings


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus if needed and check the questions."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a folder make_messy.py wrote (default: generate one)")
    args = parser.parse_args(argv)
    if args.corpus:
        check(args.corpus)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(Path(tmp))
        check(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

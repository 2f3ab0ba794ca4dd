"""How long the corpus-level links and validity take when an index is opened or updated, on the laws of
shared/corpus-scale: `python bench/links_validity.py [--docs 400] [--folder DIR]`. Prints the figures and how many
documents each status holds."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import date
from pathlib import Path

from policybot.errors import DocumentError
from policybot.ingest.corpus import read_document
from policybot.retrieve.links import CorpusLinks
from policybot.retrieve.validity import apply, corpus_validity

FOLDER = Path("/work/shared/corpus-scale")


def milliseconds(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=400, help="how many documents to read (default 400)")
    parser.add_argument("--folder", type=Path, default=FOLDER, help="a folder of .md/.txt documents")
    args = parser.parse_args()
    files = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".txt"))[: args.docs]
    docs = {}
    for path in files:
        try:
            doc = read_document(path)
        except DocumentError as exc:
            print(f"skipped {exc}")
            continue
        docs[doc.doc_id] = doc
    clauses = sum(len(d.clauses) for d in docs.values())
    start = time.perf_counter()
    links = CorpusLinks(docs)
    full = milliseconds(start)
    start = time.perf_counter()
    again = CorpusLinks(docs, links)
    reused = milliseconds(start)
    start = time.perf_counter()
    status = corpus_validity(docs, again, date.today())
    rules = milliseconds(start)
    start = time.perf_counter()
    apply(docs, status)
    shown = milliseconds(start)
    print(f"{len(docs)} documents, {clauses} clauses, {sum(1 for _ in links.links())} links within the corpus")
    print(f"links: {full:.0f} ms from scratch, {reused:.0f} ms with every document unchanged")
    print(f"validity rules: {rules:.0f} ms; documents with their validity: {shown:.0f} ms")
    print("statuses:", dict(Counter(v.status for v in status.values())))


if __name__ == "__main__":
    main()

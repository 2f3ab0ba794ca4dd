"""index in two phases: keyword search over every document while the build embeds, meaning over what is embedded;
a build killed while embedding loses nothing (the keyword version keeps serving, embedding resumes)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, HashEmbedder, copy_seed_corpus, subprocess_env

from policybot.answer.replies import answer_json, search_json
from policybot.bot import PolicyBot
from policybot.errors import PolicyBotError
from policybot.index import Phases
from policybot.index.build import build_index, open_index, published_manifest
from policybot.index.journal import JOURNAL_FILE, EmbedJournal
from policybot.index.segment import Segmenter
from policybot.ingest.corpus import read_corpus
from policybot.retrieve.hybrid import Retriever
from policybot.settings import Settings

EXTRA = ("gbk_notice.txt", "fullwidth_units.txt", "news_unnumbered.txt", "scraped_oneline.txt", "upload_sample.txt")
SEED_ID = "zunyi-fubanhan-2020-141"


class BlockingEmbedder(HashEmbedder):
    """Embeds `batches` batches, then holds the build until released: the test acts while it is embedding."""

    def __init__(self, batches: int) -> None:
        super().__init__()
        self.batches = batches
        self.blocked = threading.Event()
        self.release = threading.Event()

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if self.batches <= 0:
            self.blocked.set()
            assert self.release.wait(timeout=60), "test never released the build"
        self.batches -= 1
        return super().encode_passages(texts)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test corpus has ~100 chunks: batches, sorting windows and the keyword-first threshold scaled down."""
    monkeypatch.setattr("policybot.index.build.EMBED_BATCH", 4)
    monkeypatch.setattr("policybot.index.build.EMBED_WINDOW", 8)
    monkeypatch.setattr("policybot.index.build.KEYWORD_FIRST_CHUNKS", 4)


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def make_corpus(folder: Path) -> Path:
    copy_seed_corpus(folder)
    for name in EXTRA:
        shutil.copy(DATA / name, folder / name)
    return folder


def test_a_corpus_being_embedded_answers_keyword_questions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policybot.bot.Phases", lambda **kw: Phases(publish_every=0.0, **kw))
    settings = Settings.from_env(env={}, corpus_dir=make_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index")
    embedder = BlockingEmbedder(batches=3)
    bot = PolicyBot(settings, embedder)
    builder = threading.Thread(target=bot.build)
    builder.start()
    try:
        assert embedder.blocked.wait(timeout=60)
        coverage = bot.semantic_coverage()
        assert 0.0 <= coverage < 1.0
        answer = bot.ask("加大用地支持由哪个单位牵头？")
        assert answer.lead_units == ("市自然资源局",)
        assert answer_json(answer, coverage)["semantic_coverage"] == round(coverage, 4)
        result = bot.search("人地挂钩")
        assert result.hits and result.hits[0].doc_id == SEED_ID
        assert search_json(result, coverage)["semantic_coverage"] < 1.0
        assert bot.semantic_note().startswith(f"语义索引 {int(coverage * 100)}%")
    finally:
        embedder.release.set()
        builder.join(timeout=60)
    assert bot.semantic_coverage() == 1.0 and bot.semantic_note() == ""
    assert bot.search("人地挂钩").hits[0].doc_id == SEED_ID


def test_the_dense_part_is_published_as_documents_are_embedded(tmp_path: Path, segmenter: Segmenter) -> None:
    documents, _ = read_corpus(make_corpus(tmp_path / "corpus"))
    published = []
    phases = Phases(publish_every=0.0, on_publish=published.append)
    report = build_index(documents, tmp_path / "index", segmenter, HashEmbedder(), phases=phases)
    coverages = [index.semantic_coverage for index in published]
    assert coverages[0] == 0.0 and len(coverages) >= 3
    assert coverages == sorted(coverages) and coverages[-1] < 1.0
    assert report.index is not None and report.index.semantic_coverage == 1.0
    assert not (tmp_path / "index" / JOURNAL_FILE).exists()
    # the same vectors as a build of the whole index in one phase
    fresh = build_index(documents, tmp_path / "fresh", segmenter, HashEmbedder(), phases=Phases(embed=False))
    assert fresh.semantic_coverage == 0.0
    whole = build_index(documents, tmp_path / "fresh", segmenter, HashEmbedder())
    np.testing.assert_array_equal(
        open_index(tmp_path / "index").all_vectors(), open_index(tmp_path / "fresh").all_vectors()
    )
    assert whole.embedded == whole.chunks


def test_a_chunk_not_yet_embedded_is_ranked_by_bm25_alone(tmp_path: Path, segmenter: Segmenter) -> None:
    documents, _ = read_corpus(make_corpus(tmp_path / "corpus"))
    published = []
    build_index(
        documents,
        tmp_path / "index",
        segmenter,
        HashEmbedder(),
        phases=Phases(publish_every=0.0, on_publish=published.append),
    )
    keyword = published[0]
    partial = next(index for index in published if 0.0 < index.semantic_coverage < 1.0)
    embedder = HashEmbedder()
    queries = ["人地挂钩", "加大用地支持", "财政资金 奖补", "营业执照 办理"]
    for query in queries:
        # nothing embedded: the hybrid ranking is BM25's
        hybrid = Retriever(keyword, segmenter, embedder).search(query, k=5).hits
        bm25 = Retriever(keyword, segmenter, embedder, fusion="bm25").search(query, k=5).hits
        assert [(h.doc_id, h.clause_id) for h in hybrid] == [(h.doc_id, h.clause_id) for h in bm25]
    waiting = {doc_id for doc_id in partial.doc_ids if not partial.is_embedded(doc_id)}
    assert waiting
    for query in queries:
        bm25_first = Retriever(partial, segmenter, embedder, fusion="bm25").search(query, k=1).hits
        if bm25_first and bm25_first[0].doc_id in waiting:
            # the best keyword match of a document without vectors is not sunk by the dense score it lacks
            hybrid = Retriever(partial, segmenter, embedder).search(query, k=3).hits
            assert (bm25_first[0].doc_id, bm25_first[0].clause_id) in [(h.doc_id, h.clause_id) for h in hybrid]


SLOW_INDEX = """
import sys, time
sys.path.insert(0, {tests!r})
from conftest import HashEmbedder
import policybot.bot, policybot.index.build as build
from policybot.index import Phases

class SlowEmbedder(HashEmbedder):
    def encode_passages(self, texts):
        time.sleep(0.2)
        return super().encode_passages(texts)

build.EMBED_BATCH, build.EMBED_WINDOW, build.KEYWORD_FIRST_CHUNKS = 4, 8, 4
policybot.bot.load_embedder = lambda spec, device="auto": SlowEmbedder()
policybot.bot.Phases = lambda **kw: Phases(publish_every=0.0, **kw)
from policybot.cli import main
sys.exit(main(["index", "--corpus", {corpus!r}, "--index", {index!r}]))
"""


def published_coverage(index_dir: Path) -> float:
    """The semantic coverage of the version published now (-1 before there is one, or while it is replaced)."""
    try:
        return published_manifest(index_dir).semantic_coverage
    except PolicyBotError:
        return -1.0


def journalled(index_dir: Path, dim: int) -> int:
    """How many whole vectors the embedding journal holds."""
    journal = EmbedJournal(index_dir, HashEmbedder().id, dim)
    data = journal.path.read_bytes()
    return (len(data) - len(journal._header)) // journal._record.size


def test_sigkill_while_embedding_loses_nothing(tmp_path: Path) -> None:
    corpus, index_dir = make_corpus(tmp_path / "corpus"), tmp_path / "index"
    script = SLOW_INDEX.format(tests=str(Path(__file__).parent.parent), corpus=str(corpus), index=str(index_dir))
    child = subprocess.Popen(
        [sys.executable, "-c", script], env=subprocess_env(), stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        # killed once the dense part has been published at least once, in the middle of embedding
        while time.monotonic() < deadline and child.poll() is None:
            if 0.0 < published_coverage(index_dir) < 1.0:
                break
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    computed = journalled(index_dir, HashEmbedder.dim)

    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=index_dir)
    embedder = HashEmbedder()
    bot = PolicyBot(settings, embedder)
    bot.load()
    # the keyword index keeps serving: every document is searchable, some by meaning as well
    assert 0.0 < bot.semantic_coverage() < 1.0
    assert bot.search("人地挂钩").hits[0].doc_id == SEED_ID
    assert set(bot.index.documents) == {d.doc_id for d in read_corpus(corpus)[0]}
    report, _ = bot.build()
    # embedding resumed where it stopped: only the chunks never journalled were embedded again
    assert 0 < computed < report.chunks
    assert embedder.passages_embedded == report.embedded == report.chunks - computed
    assert bot.semantic_coverage() == 1.0
    fresh = build_index(read_corpus(corpus)[0], tmp_path / "fresh", Segmenter(), HashEmbedder())
    assert fresh.chunks == report.chunks
    np.testing.assert_array_equal(open_index(index_dir).all_vectors(), open_index(tmp_path / "fresh").all_vectors())

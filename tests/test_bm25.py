"""bm25: the matrix built from bags of words scores exactly as bm25s would after indexing the same tokens."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from policybot.bm25 import assemble, bag_of, build_bm25, concat

CORPUS = [
    ["特色小镇", "用地", "保障", "用地", "指标"],
    ["财政", "资金", "以奖代补", "特色小镇"],
    [],  # a chunk whose every word is a stopword
    ["金融", "支持", "贷款", "贴息", "金融"],
    ["用地"],
]
QUERIES = [["用地"], ["特色小镇", "资金"], ["金融", "金融", "贷款"], ["没有的词"]]


def reference_scores(corpus: list[list[str]], query: list[str]) -> np.ndarray:
    model = bm25s.BM25(k1=1.5, b=0.75)
    vocab = {t: i for i, t in enumerate(sorted({t for doc in corpus for t in doc} | {""}))}
    model.index(bm25s.tokenization.Tokenized(ids=[[vocab[t] for t in doc] for doc in corpus], vocab=vocab))
    return model.get_scores(query)


@pytest.mark.parametrize("query", QUERIES)
def test_scores_match_bm25s_indexing(query: list[str]) -> None:
    vocab: dict[str, int] = {}
    bags = assemble([bag_of(doc, vocab) for doc in CORPUS])
    model = build_bm25(bags, vocab)
    np.testing.assert_allclose(model.get_scores(query), reference_scores(CORPUS, query), rtol=1e-5, atol=1e-6)


def test_bags_of_documents_concatenate_in_order() -> None:
    vocab: dict[str, int] = {}
    first = assemble([bag_of(doc, vocab) for doc in CORPUS[:2]])
    second = assemble([bag_of(doc, vocab) for doc in CORPUS[2:]])
    joined = concat([first, second])
    whole = assemble([bag_of(doc, dict(vocab)) for doc in CORPUS])
    assert len(joined) == len(CORPUS)
    for i in range(len(CORPUS)):
        np.testing.assert_array_equal(joined.row(i)[0], whole.row(i)[0])
        np.testing.assert_array_equal(joined.row(i)[1], whole.row(i)[1])
    joined.check(len(CORPUS), len(vocab))
    with pytest.raises(ValueError, match="vocabulary"):
        joined.check(len(CORPUS), 2)

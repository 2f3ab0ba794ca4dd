"""bm25: the matrix built from bags of words scores exactly as bm25s would after indexing the same tokens, and an
update patched into it scores exactly as a full build of the updated rows."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from policybot.index.bm25 import Bags, assemble, bag_of, build_bm25, concat, empty_bags, patched_bm25
from policybot.index.rowpatch import RowMoves

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


def bags_of(docs: list[list[str]], vocab: dict[str, int]) -> Bags:
    return assemble([bag_of(doc, vocab) for doc in docs])


MOST = 100  # rows a patch may differ from the full build by (the index uses dense.PATCH_ROWS)
PATCH_QUERIES = [*QUERIES, ["新词"], ["用地", "新词", "用地"], ["资金", "贷款", "指标"]]


def test_a_patched_bm25_scores_exactly_as_a_full_build_of_the_new_rows() -> None:
    vocab: dict[str, int] = {}
    full = build_bm25(bags_of(CORPUS, vocab), vocab)
    # rows 1 and 3 change: 1 becomes two rows (one with a word never seen), 3 leaves; the rest move
    now = [CORPUS[0], ["财政", "新词"], ["新词", "用地", "用地"], CORPUS[2], CORPUS[4]]
    gone = [bags_of([CORPUS[1]], vocab), bags_of([CORPUS[3]], vocab)]
    update = (RowMoves(np.array([0, -1, 3, -1, 4]), np.array([1, 2])), gone, bags_of(now[1:3], vocab), vocab)
    assert patched_bm25(full, *update, most_changed=3) is None  # 2 rows gone and 2 added: built whole instead
    patched = patched_bm25(full, *update, most_changed=MOST)
    assert patched.model is None and patched.base is full.base and patched.patch.changed == 4
    fresh = build_bm25(bags_of(now, vocab), vocab)
    for query in PATCH_QUERIES:
        np.testing.assert_array_equal(patched.get_scores(query), fresh.get_scores(query))

    # a patch of the patch: the first new row leaves again, a row is added in front, everything else moves
    later = [["金融", "新词"], CORPUS[0], ["新词", "用地", "用地"], CORPUS[2], CORPUS[4]]
    again = patched_bm25(
        patched,
        RowMoves(np.array([1, -1, 2, 3, 4]), np.array([0])),
        [bags_of([now[1]], vocab)],
        bags_of(later[:1], vocab),
        vocab,
        most_changed=MOST,
    )
    assert again.base is full.base and list(again.patch.extra_rows) == [0, 2]
    fresh = build_bm25(bags_of(later, vocab), vocab)
    for query in PATCH_QUERIES:
        np.testing.assert_array_equal(again.get_scores(query), fresh.get_scores(query))
    np.testing.assert_allclose(fresh.get_scores(["新词"]), reference_scores(later, ["新词"]), rtol=1e-5, atol=1e-6)


def test_a_patch_after_every_row_left_starts_again_from_nothing() -> None:
    vocab: dict[str, int] = {}
    full = build_bm25(bags_of(CORPUS, vocab), vocab)
    none = np.zeros(0, np.int64)
    # a patch (the last row leaves), then every row leaves, then one comes back: the app's delete-all, then upload
    fewer = patched_bm25(
        full, RowMoves(np.array([0, 1, 2, 3, -1]), none), [bags_of(CORPUS[4:], vocab)], empty_bags(), vocab, MOST
    )
    emptied = patched_bm25(
        fewer, RowMoves(np.full(4, -1), none), [bags_of(CORPUS[:4], vocab)], empty_bags(), vocab, MOST
    )
    assert emptied.rows == 0 and emptied.get_scores(["用地"]).shape == (0,)
    back = patched_bm25(emptied, RowMoves(none, np.array([0])), [], bags_of(CORPUS[:1], vocab), vocab, MOST)
    fresh = build_bm25(bags_of(CORPUS[:1], vocab), vocab)
    for query in PATCH_QUERIES:
        np.testing.assert_array_equal(back.get_scores(query), fresh.get_scores(query))

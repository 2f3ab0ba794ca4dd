"""segment: policy terms and unit names stay whole, noise words are dropped, each Segmenter keeps its own dictionary."""

from __future__ import annotations

import pytest

from policybot.index.segment import Segmenter


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    """One segmenter with the shipped policy dictionary, shared by tests that only read it."""
    return Segmenter()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("按“人地挂钩”政策保障新增建设用地规模", "人地挂钩"),
        ("盘活存量建设用地，用好增减挂钩政策", "增减挂钩"),
        ("开展“以奖代补”政策", "以奖代补"),
        ("深化“放管服”改革", "放管服"),
        ("按照新的国土空间规划体系编制", "国土空间规划"),
        ("积极培育创建一批特色小镇", "特色小镇"),
    ],
    ids=["rendi-guagou", "zengjian-guagou", "yijiang-daibu", "fang-guan-fu", "guotu-kongjian-guihua", "tese-xiaozhen"],
)
def test_dictionary_terms_stay_whole(segmenter: Segmenter, text: str, term: str) -> None:
    assert term in segmenter.tokens(text)
    assert term in segmenter.cut(text)


@pytest.mark.parametrize(
    "text", ["完善“8+X”项目", "完善８＋Ｘ项目", "完善8+x项目"], ids=["ascii", "fullwidth", "lower"]
)
def test_8_plus_x_is_one_normalised_token(segmenter: Segmenter, text: str) -> None:
    # half-width, full-width and lower-case spellings all become the same token
    assert "8+x" in segmenter.tokens(text)
    assert "8+x" in segmenter.cut(text)


def test_search_tokens_also_hold_the_parts_of_a_term(segmenter: Segmenter) -> None:
    tokens = segmenter.tokens("按人地挂钩政策保障用地")
    assert "人地挂钩" in tokens
    assert {"人地", "挂钩"} <= set(tokens)


def test_shipped_unit_name_is_one_token(segmenter: Segmenter) -> None:
    assert "市人力资源社会保障局" in segmenter.cut("由市人力资源社会保障局负责")


def test_add_words_makes_a_unit_name_one_token(segmenter: Segmenter) -> None:
    unit = "区人力资源社会保障局"
    assert unit not in segmenter.cut(f"由{unit}牵头")
    segmenter.add_words([unit])
    assert unit in segmenter.cut(f"由{unit}牵头")
    assert unit in segmenter.tokens(f"由{unit}牵头")
    assert unit in segmenter.words


def test_add_words_normalises_like_the_text(segmenter: Segmenter) -> None:
    segmenter.add_words(["ＡＢＣ示范区管委会"])  # full-width letters, as pasted from a PDF
    assert "abc示范区管委会" in segmenter.words
    assert "abc示范区管委会" in segmenter.cut("由ABC示范区管委会负责")


def test_stopwords_and_punctuation_dropped(segmenter: Segmenter) -> None:
    tokens = segmenter.tokens("请问，关于人地挂钩的规定是什么？")
    assert "人地挂钩" in tokens
    for noise in ("请问", "关于", "的", "是", "什么", "，", "？"):
        assert noise not in tokens
    assert segmenter.tokens("的了和在") == []
    assert segmenter.cut("，。；！？、") == []


def test_a_segmenter_does_not_change_another(segmenter: Segmenter) -> None:
    taught, given = "县乡村振兴局", "县营商环境建设局"
    text = f"请{taught}会同{given}牵头落实"
    assert taught not in segmenter.cut(text)
    other = Segmenter(extra_words=[given])
    before = other.cut(text)
    assert given in before and taught not in before
    segmenter.add_words([taught])
    assert taught in segmenter.cut(text)
    # no global jieba state: what one instance learns, the other does not
    assert other.cut(text) == before
    assert taught not in other.words
    assert given not in segmenter.words
    assert given not in segmenter.cut(text)


PLACES_TEXT = "贵阳市和遵义市的特色小镇，六盘水市、毕节市与仁怀市茅台镇都在贵州省；上海市浦东新区另有安排。"


def test_places_tag_as_jiebas_own_pos_tagger_over_the_same_words(segmenter: Segmenter) -> None:
    import jieba.posseg

    reference = jieba.posseg.POSTokenizer(segmenter._tk)  # reads the dictionary itself, as documented
    expected = [p.word for p in reference.cut(segmenter.normalize(PLACES_TEXT)) if p.flag == "ns" and len(p.word) >= 2]
    assert segmenter.places(PLACES_TEXT) == expected
    assert {"贵阳市", "遵义市"} <= set(expected)


def test_cutting_piece_by_piece_gives_the_tokens_of_the_whole_text() -> None:
    from pathlib import Path

    from policybot.index.chunks import chunk_document
    from policybot.ingest.corpus import read_document

    data = Path(__file__).resolve().parents[1] / "data"
    paths = [Path(__file__).resolve().parents[2] / "corpus" / "zunyi-fubanhan-2020-141.txt"]
    paths += sorted((data / "links").glob("*.txt")) + [data / "scraped_oneline.txt", data / "news_unnumbered.txt"]
    chunks = [c for path in paths for c in chunk_document(read_document(path))]
    assert len(chunks) > 50
    cached, plain = Segmenter(), Segmenter()
    for _ in range(2):  # the second time from the cache
        for chunk in chunks:
            assert cached.tokens_by_piece(chunk.keyword_text) == plain.tokens(chunk.keyword_text)
    assert cached.tokens_by_piece("遵义市　人民政府\n办公室") == plain.tokens(
        "遵义市　人民政府\n办公室"
    )  # full-width space

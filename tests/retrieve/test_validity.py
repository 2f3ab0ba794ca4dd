"""Validity read from the corpus: repeals by other documents, a document's own period, versions of one document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import SEED

from policybot.document import Document
from policybot.ingest.parser import parse_document
from policybot.retrieve.links import CorpusLinks
from policybot.retrieve.validity import corpus_validity, effective_period, version_key

LINKS = Path(__file__).parents[1] / "data" / "links"
TODAY = date(2026, 12, 2)
SEED_ID = "zunyi-fubanhan-2020-141"

LAW_2016 = """# 中华人民共和国示范促进法

2016年3月16日 第十二届全国人民代表大会第四次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了促进示范事业，制定本法。

第二条 示范组织登记满二年的，可以向民政部门申请公开募捐资格。

第三条 本法自2016年9月1日起施行。
"""

LAW_2023 = """# 中华人民共和国示范促进法

2016年3月16日 第十二届全国人民代表大会第四次会议通过

2023年12月29日 第十四届全国人民代表大会常务委员会第七次会议《关于修改〈中华人民共和国示范促进法〉的决定》修正）

<!-- INFO END -->

## 第一章 总则

第一条 为了促进示范事业，制定本法。

第二条 示范组织登记满一年的，可以向民政部门申请公开募捐资格。

第三条 本法自2016年9月1日起施行。
"""


def corpus(*docs: Document) -> dict[str, Document]:
    return {d.doc_id: d for d in docs}


def seed() -> Document:
    return parse_document(SEED.read_text(encoding="utf-8"), SEED.name)


def data(name: str) -> Document:
    return parse_document((LINKS / name).read_text(encoding="utf-8"), name)


def validity_of(documents: dict[str, Document], today: date = TODAY):
    return corpus_validity(documents, CorpusLinks(documents), today)


def test_without_a_document_saying_otherwise_the_source_banner_stands() -> None:
    v = validity_of(corpus(seed(), data("qian-fubanfa-2019-20.txt")))["zunyi-fubanhan-2020-141"]
    assert v.status == "现行有效" and v.is_current
    assert "USHUI" in v.note and not v.basis_doc_id


def test_a_later_plan_saying_the_old_one_is_同时废止_repeals_it_with_the_sentence_and_document() -> None:
    docs = corpus(seed(), data("zunyi-fubanhan-2024-8.txt"))
    v = validity_of(docs)["zunyi-fubanhan-2020-141"]
    assert v.status == "已废止" and not v.is_current
    assert v.basis_doc_id == "zunyi-fubanhan-2024-8"
    assert "同时废止" in v.basis_sentence and "遵府办函〔2020〕141号" in v.basis_sentence
    assert v.since == "2024-03-01"  # 自印发之日起施行
    assert "遵府办函〔2024〕8号" in v.note


def test_a_repeal_decision_takes_effect_on_its_own_start_date() -> None:
    docs = corpus(seed(), data("zunyi-repeal-decision-2024.txt"))
    assert validity_of(docs, date(2024, 5, 25))["zunyi-fubanhan-2020-141"].status == "现行有效"
    decision = validity_of(docs, date(2024, 5, 25))["zunyi-repeal-decision-2024"]
    assert decision.status == "尚未施行" and decision.effective_from == "2024-06-01"
    after = validity_of(docs, date(2024, 6, 2))["zunyi-fubanhan-2020-141"]
    assert after.status == "已废止" and after.since == "2024-06-01" and "予以废止" in after.basis_sentence


def test_a_title_that_says_废止_repeals_nothing() -> None:
    text = (
        "关于做好小城镇建设工作的通知\n市政府有关部门：\n"
        "根据《遵义市人民政府关于废止部分行政规范性文件的决定》（遵府发〔2024〕3号），做好衔接工作。\n"
        "遵义市人民政府办公室\n2024年7月1日\n"
    )
    docs = corpus(seed(), data("zunyi-repeal-decision-2024.txt"), parse_document(text, "notice.txt"))
    links = CorpusLinks(docs)
    [link] = links.references("notice")
    assert link.relation == "implements" and link.doc_id == "zunyi-repeal-decision-2024"


def test_a_period_of_years_runs_out_and_the_document_is_已失效() -> None:
    text = (
        "关于支持小城镇建设的若干措施\n遵府办发〔2019〕7号\n一、加大支持\n对小城镇建设给予奖励。\n"
        "二、附则\n本措施自2019年7月1日起施行，有效期3年。\n遵义市人民政府办公室\n2019年6月20日\n"
    )
    doc = parse_document(text, "measures.txt")
    assert effective_period(doc)[:2] == ("2019-07-01", "2022-06-30")
    assert validity_of(corpus(doc), date(2021, 1, 1))["measures"].status == "现行有效"
    expired = validity_of(corpus(doc), date(2022, 7, 1))["measures"]
    assert expired.status == "已失效" and expired.since == "2022-06-30" and "有效期3年" in expired.basis_sentence
    assert validity_of(corpus(doc), date(2019, 6, 25))["measures"].status == "尚未施行"


def test_有效期至_a_date_and_自印发之日起() -> None:
    text = (
        "关于支持小城镇建设的通知\n一、支持措施\n对小城镇建设给予奖励。\n"
        "二、附则\n本通知自印发之日起施行，有效期至2023年12月31日。\n遵义市人民政府办公室\n2021年3月1日\n"
    )
    doc = parse_document(text, "n.txt")
    assert effective_period(doc)[:2] == ("2021-03-01", "2023-12-31")
    assert validity_of(corpus(doc), date(2024, 1, 1))["n"].status == "已失效"


def test_of_two_versions_of_one_law_the_earlier_is_已被修订_with_a_link_to_the_current_one() -> None:
    old = parse_document(LAW_2016, "示范促进法(2016-03-16).md")
    new = parse_document(LAW_2023, "示范促进法(2023-12-29).md")
    v = validity_of(corpus(new, old))
    assert v[old.doc_id].status == "已被修订" and v[old.doc_id].current_version == new.doc_id
    assert v[old.doc_id].since == "2023-12-29" and "修正" in v[old.doc_id].basis_sentence
    assert v[new.doc_id].is_current


def test_a_versions_title_suffix_is_no_other_title() -> None:
    assert version_key("中华人民共和国慈善法（2023年修正）") == version_key("中华人民共和国慈善法")


def test_a_version_repealing_an_older_one_of_its_name_never_repeals_a_later_version() -> None:
    rules = "# 示范条例\n\n{history}\n\n<!-- INFO END -->\n\n第一条 为了规范示范活动，制定本条例。\n\n第二条 {last}\n"
    v2010 = parse_document(
        rules.format(history="2010年1月9日 国务院令第569号修订", last="本条例自2010年2月1日起施行。"),
        "示范条例(2010-01-09).md",
    )
    v2023 = parse_document(
        rules.format(
            history="2010年1月9日 国务院令第569号修订\n\n2023年12月11日 国务院令第769号修订",
            last="本条例自2024年1月20日起施行。1992年12月21日发布的《示范条例》同时废止。",
        ),
        "示范条例(2023-12-11).md",
    )
    v = validity_of(corpus(v2010, v2023))
    # the repeal names the 1992 version, which the corpus does not hold: the 2010 one is only revised
    assert v[v2010.doc_id].status == "已被修订" and v[v2010.doc_id].current_version == v2023.doc_id
    assert v[v2023.doc_id].is_current
    [link] = [x for x in CorpusLinks(corpus(v2010, v2023)).references(v2023.doc_id) if x.relation == "repeals"]
    assert not link.in_corpus


def test_a_document_whose_validity_did_not_change_is_shown_as_the_same_object() -> None:
    from policybot.retrieve.validity import apply

    docs = corpus(seed(), data("zunyi-fubanhan-2024-8.txt"))
    status = validity_of(docs)
    shown = apply(docs, status)
    assert shown[SEED_ID].validity == "已废止" and docs[SEED_ID].validity == "现行有效"
    again = apply(docs, status, docs, shown)
    assert again[SEED_ID] is shown[SEED_ID]  # the catalog's entries for it are reused
    restored = apply(corpus(seed()), validity_of(corpus(seed())), docs, shown)
    assert restored[SEED_ID].validity == "现行有效"


def test_a_period_of_something_else_is_not_the_documents() -> None:
    text = (
        "安澜市居住证申领办事指南\n一、办理条件\n居住证有效期为1年，期满前30日内办理签注。\n"
        "二、办理地点\n各派出所户籍窗口。\n安澜市公安局\n2019年12月20日\n"
    )
    doc = parse_document(text, "guide.txt")
    assert effective_period(doc) == ("", "", "")
    assert validity_of(corpus(doc))["guide"].status == "未标注"

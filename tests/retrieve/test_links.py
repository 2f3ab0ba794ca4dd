"""Document links and validity in the corpus: references resolved, cited_by, `policybot show`, and answers that
never quote a repealed document as current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED
from test_validity import LAW_2016, LAW_2023

from policybot.cli import main
from policybot.ingest.parser import parse_document
from policybot.retrieve.links import CorpusLinks

LINKS = Path(__file__).parents[1] / "data" / "links"
SEED_ID = "zunyi-fubanhan-2020-141"
PROVINCE_ID = "qian-fubanfa-2019-20"


def data_bytes(name: str) -> bytes:
    return (LINKS / name).read_bytes()


def show_json(bot, name: str, capsys: pytest.CaptureFixture[str]) -> dict:
    settings = bot.settings
    args = ["show", name, "--json", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def ask_json(bot, question: str, capsys: pytest.CaptureFixture[str]) -> dict:
    settings = bot.settings
    args = ["ask", question, "--json", "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_references_resolve_by_文号_by_title_and_a_law_cited_without_中华人民共和国() -> None:
    province = parse_document(
        (LINKS / "qian-fubanfa-2019-20.txt").read_text(encoding="utf-8"), "qian-fubanfa-2019-20.txt"
    )
    seed = parse_document(SEED.read_text(encoding="utf-8"), SEED.name)
    by_title = parse_document(
        "关于做好小城镇用地的通知\n市政府有关部门：\n按照《省人民政府办公厅关于加快推动特色小镇和小城镇高质量发展的实施意见》"
        "和《慈善法》，做好用地保障。\n依照《城乡规划法》的规定办理。\n遵义市自然资源局\n2021年1月5日\n",
        "notice.txt",
    )
    law = parse_document("# 中华人民共和国慈善法\n\n第一条 为了发展慈善事业，制定本法。\n", "慈善法.md")
    links = CorpusLinks({d.doc_id: d for d in (province, seed, by_title, law)})
    [implements] = links.references(SEED_ID)
    assert (implements.in_corpus, implements.doc_id, implements.relation) == (True, PROVINCE_ID, "implements")
    assert implements.doc_number == "黔府办发〔2019〕20号"
    resolved = {link.title: link.doc_id for link in links.references("notice")}
    assert resolved["省人民政府办公厅关于加快推动特色小镇和小城镇高质量发展的实施意见"] == PROVINCE_ID
    assert resolved["慈善法"] == "慈善法"
    assert resolved["城乡规划法"] == ""  # not in the corpus
    assert {link.citing_doc_id for link in links.cited_by(PROVINCE_ID)} == {SEED_ID, "notice"}
    related = links.related_documents(PROVINCE_ID)
    assert {(r.relation, r.doc_id) for r in related} == {("下位文件", SEED_ID), ("下位文件", "notice")}
    assert [(r.relation, r.doc_id) for r in links.related_documents(SEED_ID)] == [("上位文件", PROVINCE_ID)]


def test_show_resolves_the_seeds_上位文件_once_it_is_in_the_corpus(bot_copy, capsys) -> None:
    bot = bot_copy()
    before = show_json(bot, "遵府办函〔2020〕141号", capsys)
    [ref] = before["references"]
    assert ref["doc_number"] == "黔府办发〔2019〕20号" and ref["in_corpus"] is False and ref["doc_id"] == ""
    bot.add_document("qian-fubanfa-2019-20.txt", data_bytes("qian-fubanfa-2019-20.txt"))
    seed = show_json(bot, "遵府办函[2020]141号", capsys)
    [ref] = seed["references"]
    assert ref["in_corpus"] is True and ref["doc_id"] == PROVINCE_ID and ref["relation"] == "implements"
    assert seed["validity"]["status"] == "现行有效"  # the source site's banner: nothing in the corpus says otherwise
    province = show_json(bot, "黔府办发〔2019〕20号", capsys)
    assert [c["doc_id"] for c in province["cited_by"]] == [SEED_ID]
    assert "贯彻落实" in province["cited_by"][0]["sentence"]


def test_a_later_plan_repealing_the_seed_marks_it_已废止_and_answers_come_from_the_plan_in_force(
    bot_copy, capsys
) -> None:
    bot = bot_copy()
    bot.add_document("zunyi-fubanhan-2024-8.txt", data_bytes("zunyi-fubanhan-2024-8.txt"))
    seed = show_json(bot, "遵府办函〔2020〕141号", capsys)
    assert seed["validity"]["status"] == "已废止"
    assert seed["validity"]["basis_doc_id"] == "zunyi-fubanhan-2024-8"
    assert seed["validity"]["basis_doc_number"] == "遵府办函〔2024〕8号"
    assert "同时废止" in seed["validity"]["basis_sentence"]
    assert [c["relation"] for c in seed["cited_by"]] == ["repeals"]
    answer = ask_json(bot, "加大用地支持由哪个单位牵头？", capsys)
    assert answer["found"] and answer["citations"][0]["doc_id"] == "zunyi-fubanhan-2024-8"
    assert "市自然资源局" in answer["lead_units"]
    # search leaves the repealed plan out unless asked for every version
    assert {h.doc_id for h in bot.search("人地挂钩 增减挂钩", k=10).hits} <= {"zunyi-fubanhan-2024-8"}
    assert SEED_ID in {h.doc_id for h in bot.search("人地挂钩 增减挂钩", k=10, all_versions=True).hits}
    # the repealing plan deleted: the seed is in force again (validity is recomputed from the corpus)
    bot.delete_document("zunyi-fubanhan-2024-8")
    assert bot.validity_of(SEED_ID).status == "现行有效"
    assert show_json(bot, "遵府办函〔2020〕141号", capsys)["validity"]["status"] == "现行有效"


def test_an_answer_from_a_repealed_document_says_so(bot_copy, capsys) -> None:
    bot = bot_copy()
    bot.add_document("zunyi-repeal-decision-2024.txt", data_bytes("zunyi-repeal-decision-2024.txt"))
    assert bot.validity_of(SEED_ID).status == "已废止"
    assert bot.index.documents[SEED_ID].validity == "已废止"  # what the browse tab shows
    answer = ask_json(bot, "加大用地支持由哪个单位牵头？", capsys)
    assert answer["found"] and answer["citations"][0]["doc_id"] == SEED_ID
    assert answer["answer"].startswith("注意：《遵义市加快推动特色小镇和小城镇高质量发展实施方案》已于2024-06-01废止")
    assert "遵府发〔2024〕3号" in answer["answer"] and "遵府发〔2024〕3号" in answer["note"]
    assert "市自然资源局" in answer["lead_units"]


def test_a_question_about_a_law_in_two_versions_cites_the_current_one(bot_copy) -> None:
    bot = bot_copy()
    bot.add_document("示范促进法(2016-03-16).md", LAW_2016.encode())
    bot.add_document("示范促进法(2023-12-29).md", LAW_2023.encode())
    old = bot.validity_of("示范促进法(2016-03-16)")
    assert old.status == "已被修订" and old.current_version == "示范促进法(2023-12-29)"
    answer = bot.ask("示范组织登记满几年可以申请公开募捐资格？")
    assert answer.found and answer.citations[0].doc_id == "示范促进法(2023-12-29)"
    assert "一年" in answer.answer and not answer.answer.startswith("注意")
    old_only = bot.ask("示范组织登记满几年可以申请公开募捐资格？", all_versions=True)
    assert {c.doc_id for c in old_only.citations} & {"示范促进法(2016-03-16)", "示范促进法(2023-12-29)"}


def test_an_answer_whose_clause_cites_a_document_in_the_corpus_offers_its_matching_clause(bot_copy) -> None:
    bot = bot_copy()
    bot.add_document("qian-fubanfa-2019-20.txt", data_bytes("qian-fubanfa-2019-20.txt"))
    answer = bot.ask("本方案是为贯彻落实哪个文件制定的？")
    cited = [c.doc_id for c in answer.citations]
    assert cited[0] == SEED_ID and answer.citations[0].clause_id == "preamble"
    assert PROVINCE_ID in cited
    assert "所引文件中的相应条款" in answer.answer


def test_asked_whether_a_repealed_document_is_valid_the_answer_names_the_repealing_one(bot_copy) -> None:
    bot = bot_copy()
    bot.add_document("zunyi-fubanhan-2024-8.txt", data_bytes("zunyi-fubanhan-2024-8.txt"))
    answer = bot.ask("遵府办函〔2020〕141号现在还有效吗？")
    assert answer.found and answer.citations[0].doc_id == SEED_ID
    assert "已废止" in answer.answer and "遵府办函〔2024〕8号" in answer.answer
    related = bot.related_documents(SEED_ID)
    assert ("被其废止", "zunyi-fubanhan-2024-8") in {(r.relation, r.doc_id) for r in related}

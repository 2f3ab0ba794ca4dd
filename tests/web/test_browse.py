"""The 文件浏览 tab through its handlers: the tree is the list of clickable clauses, repeated numbers are marked and
told apart by their heading, 序言 is named once, and a site's banner is metadata, never document text."""

from __future__ import annotations

from pathlib import Path

from policybot.web.browse import show_clause, show_document

SEED_ID = "zunyi-fubanhan-2020-141"
BANNER = "USHUI.NET®提示"


def tree_of(bot) -> dict[str, str]:
    return dict(show_document(bot, SEED_ID).tree)


def test_every_clause_is_an_entry_of_the_tree_in_reading_order(built_bot) -> None:
    doc = built_bot.index.documents[SEED_ID]
    assert [cid for _, cid in show_document(built_bot, SEED_ID).tree] == [c.id for c in doc.clauses]
    land = next(label for label in tree_of(built_bot) if "加大用地支持" in label)
    assert land.strip() == "三（三） 加大用地支持〔牵头：市自然资源局〕"
    assert land.startswith("\u3000")  # indented under 三 by full-width spaces, which a radio label keeps


def test_the_preamble_is_named_once(built_bot) -> None:
    labels = list(tree_of(built_bot))
    assert "序言" in labels and not any("序言 序言" in label for label in labels)
    preamble = next(cid for label, cid in tree_of(built_bot).items() if label == "序言")
    assert show_clause(built_bot, SEED_ID, preamble).startswith("### 序言\n")


def test_clauses_sharing_a_number_are_marked_and_told_apart_by_heading(built_bot) -> None:
    marked = [label.strip() for label in tree_of(built_bot) if "（编号重复）" in label]
    assert [label.split("（编号重复）")[0] for label in marked] == [
        "三（一） 着力实施分类推进",
        "三（二） 着力强化规划引领",
        "三（一） 加大财政支持",
        "三（二） 加大金融支持",
    ]
    finance = next(cid for label, cid in tree_of(built_bot).items() if "加大财政支持" in label)
    detail = show_clause(built_bot, SEED_ID, finance)
    assert detail.startswith("### 三（一） 加大财政支持")
    assert "不止一条编号为 三（一） 的条款" in detail
    land = next(cid for label, cid in tree_of(built_bot).items() if "加大用地支持" in label)
    assert "不止一条编号" not in show_clause(built_bot, SEED_ID, land)


def test_an_answer_cites_a_repeated_number_with_its_heading(built_bot) -> None:
    answer = built_bot.ask("三（一）")
    labels = [c.label for c in answer.citations]
    assert any(label.endswith("三（一）加大财政支持") for label in labels)
    assert all(not label.endswith("三（一）") for label in labels)


def test_a_site_banner_is_metadata_and_never_document_text(built_bot) -> None:
    meta = show_document(built_bot, SEED_ID).markdown
    banner_line = next(line for line in meta.splitlines() if line.startswith("- **来源网站说明**："))
    assert "USHUI.NET®提示" in banner_line
    doc = built_bot.index.documents[SEED_ID]
    assert all(BANNER not in show_clause(built_bot, SEED_ID, c.id) for c in doc.clauses)
    answer = built_bot.ask("这个文件现在还有效吗？")
    assert BANNER not in answer.answer and all(BANNER not in c.text for c in answer.citations)


def test_no_document_chosen_asks_for_one(built_bot) -> None:
    assert show_document(built_bot, None).markdown == "请选择一个文件。"
    assert show_document(built_bot, "no-such-doc").tree == []
    assert show_clause(built_bot, SEED_ID, "no-such-clause") == ""


LINKS = Path(__file__).parents[1] / "data" / "links"


def test_linked_documents_are_listed_with_their_sentence_and_open_on_click(bot_copy) -> None:
    bot = bot_copy()
    alone = show_document(bot, SEED_ID)
    assert alone.related == [] and "语料中未收录" in alone.markdown  # 黔府办发〔2019〕20号 is not in the corpus yet
    name = "qian-fubanfa-2019-20.txt"
    bot.add_document(name, (LINKS / name).read_bytes())
    seed = show_document(bot, SEED_ID)
    assert [doc_id for _, doc_id in seed.related] == ["qian-fubanfa-2019-20"]
    assert seed.related[0][0].startswith("上位文件：《")
    assert "### 相关文件" in seed.markdown and "贯彻落实" in seed.markdown
    province = show_document(bot, "qian-fubanfa-2019-20")
    assert [(label.split("：")[0], doc_id) for label, doc_id in province.related] == [("下位文件", SEED_ID)]


def test_a_repealed_document_shows_the_basis_of_its_validity(bot_copy) -> None:
    bot = bot_copy()
    name = "zunyi-fubanhan-2024-8.txt"
    bot.add_document(name, (LINKS / name).read_bytes())
    seed = show_document(bot, SEED_ID)
    assert "已废止" in seed.markdown and "效力依据" in seed.markdown
    assert any(label.startswith("被其废止：") for label, _ in seed.related)


def test_a_benefit_clause_says_who_may_claim_it(built_bot) -> None:
    assert "**享受主体**：地方政府和部门" in show_clause(built_bot, SEED_ID, "3.r2.1")
    assert "**享受主体**：企业、人才" in show_clause(built_bot, SEED_ID, "3.r2.4")
    assert "享受主体" not in show_clause(built_bot, SEED_ID, "4.1")

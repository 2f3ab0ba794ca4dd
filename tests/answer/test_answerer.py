"""Grounded answers on the seed corpus: who leads, lookups, facts, follow-ups and honest refusals."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policybot.answer.answerer import Conversation
from policybot.errors import InputError

WHO_LEADS = [
    ("着力实施分类推进由哪个单位牵头？", "3.1", {"市发展改革委", "市住房城乡建设局"}),
    ("强化规划引领谁牵头？", "3.2", {"市自然资源局"}),
    ("加大财政支持由哪个单位牵头？", "3.r2.1", {"市财政局"}),
    ("加大金融支持的牵头单位是哪个？", "3.r2.2", {"市金融办"}),
    ("加大用地支持由哪个单位牵头？", "3.r2.3", {"市自然资源局"}),
    ("加大产业支持谁牵头？", "3.r2.4", {"市工业和能源局", "市商务局"}),
    ("加大人才支持由哪个部门牵头？", "3.r2.5", {"市委组织部", "市人力资源社会保障局"}),
    ("强化组织领导的牵头单位是谁？", "4.1", {"市发展改革委", "市住房城乡建设局"}),
]


@pytest.mark.parametrize(("question", "clause_id", "lead"), WHO_LEADS)
def test_who_leads_every_task_clause(built_bot, question: str, clause_id: str, lead: set[str]) -> None:
    answer = built_bot.ask(question)
    assert answer.intent == "who_leads" and answer.found
    assert set(answer.lead_units) == lead
    assert answer.citations[0].clause_id == clause_id
    assert answer.citations[0].doc_number == "遵府办函〔2020〕141号"
    for unit in lead:
        assert unit in answer.answer


def test_responsible_units_exact(built_bot) -> None:
    answer = built_bot.ask("加大产业支持的责任单位有哪些？")
    assert "市委统战部(市民宗委)" in answer.responsible_units
    assert len(answer.responsible_units) == 13


def test_lookup_by_number_and_by_part(built_bot) -> None:
    answer = built_bot.ask("三（三）")
    assert answer.intent == "lookup" and answer.citations[0].clause_id == "3.r2.3"
    answer = built_bot.ask("第四部分第一条")
    assert answer.citations[0].clause_id == "4.1"
    answer = built_bot.ask("三（二）")  # the source numbers two clauses 三（二）: both are shown
    assert {c.clause_id for c in answer.citations} == {"3.2", "3.r2.2"}


def test_lookup_by_heading(built_bot) -> None:
    answer = built_bot.ask("规划引领那条")
    assert answer.intent == "lookup" and answer.citations[0].clause_id == "3.2"


def test_lookup_by_doc_number_any_brackets(built_bot) -> None:
    answer = built_bot.ask("遵府办函[2020]141号")
    assert answer.found and "遵义市加快推动特色小镇和小城镇高质量发展实施方案" in answer.answer
    assert "四、保障措施" in answer.answer


def test_facts(built_bot) -> None:
    answer = built_bot.ask("城镇化率要提高多少")
    assert answer.found and "3个百分点" in answer.answer.split("\n")[0]
    answer = built_bot.ask("什么是特色小镇")
    assert "特色小镇是在几平方公里土地上" in answer.answer[:80]
    answer = built_bot.ask("依据哪个省级文件制定的")
    assert "黔府办发〔2019〕20号" in answer.answer and answer.citations[0].clause_id == "preamble"
    answer = built_bot.ask("这个文件还有效吗")
    assert "现行有效" in answer.answer


def test_support_question_quotes_the_clause(built_bot) -> None:
    answer = built_bot.ask("用地方面有什么支持？")
    assert answer.found and answer.intent == "support"
    assert answer.citations[0].clause_id == "3.r2.3"
    assert "人地挂钩" in answer.answer


@pytest.mark.parametrize(
    "question", ["明天天气怎么样", "怎么落北京户口", "失业保险金怎么领取", "新能源汽车购置补贴怎么领"]
)
def test_out_of_scope_is_refused_plainly(built_bot, question: str) -> None:
    answer = built_bot.ask(question)
    assert answer.found is False
    assert "没有找到" in answer.answer
    assert all(c.nearest_only for c in answer.citations)


def test_follow_up_keeps_intent_with_new_topic(built_bot) -> None:
    conversation = Conversation()
    first = built_bot.ask("用地方面有什么支持？", conversation)
    assert first.citations[0].clause_id == "3.r2.3"
    second = built_bot.ask("那金融支持呢？", conversation)
    assert second.intent == "support" and second.citations[0].clause_id == "3.r2.2"
    conversation = Conversation()
    built_bot.ask("谁负责用地支持？", conversation)
    follow = built_bot.ask("那金融支持呢？", conversation)
    assert follow.intent == "who_leads" and follow.lead_units == ("市金融办",)


def test_this_clause_refers_to_the_last_citation(built_bot) -> None:
    conversation = Conversation()
    built_bot.ask("人才方面有什么支持政策？", conversation)
    answer = built_bot.ask("这条谁牵头？", conversation)
    assert answer.citations[0].clause_id == "3.r2.5"
    assert set(answer.lead_units) == {"市委组织部", "市人力资源社会保障局"}


def test_bad_questions_are_named(built_bot) -> None:
    with pytest.raises(InputError, match="empty"):
        built_bot.ask("   \n\t ")
    with pytest.raises(InputError, match="500"):
        built_bot.ask("用地" * 300)
    answer = built_bot.ask("<script>alert(1)</script>用地支持\x00\x07")
    assert answer.question.count("\x00") == 0


def test_cli_ask_json_and_stdin(built_bot) -> None:
    args = ["--corpus", str(built_bot.settings.corpus_dir), "--index", str(built_bot.settings.index_dir)]
    out = subprocess.run(
        [sys.executable, "-m", "policybot.cli", "ask", "加大用地支持由哪个单位牵头？", "--json", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    assert data["lead_units"] == ["市自然资源局"] and data["found"] is True
    assert {"answer", "intent", "found", "lead_units", "responsible_units", "citations"} <= set(data)
    assert "\\u" not in out
    run = subprocess.run(
        [sys.executable, "-m", "policybot.cli", "ask", "-", *args],
        input="这条谁牵头？\n明天天气怎么样\n",
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == 2 and lines[1]["found"] is False
    too_long = subprocess.run(
        [sys.executable, "-m", "policybot.cli", "ask", "问" * 600, *args], capture_output=True, text=True
    )
    assert too_long.returncode != 0 and "500" in too_long.stderr


# --- many documents ----------------------------------------------------------------------------------------------

TWIN_NUMBER = "筑府办函〔2021〕9号"
TWIN_TITLE = "贵阳市加快特色小镇建设实施方案"


@pytest.fixture(scope="module")
def two_plans_bot(tmp_path_factory: pytest.TempPathFactory):
    """The seed plan and a twin from another city: same clause numbers and headings, other lead units."""
    from conftest import SEED, copy_seed_corpus

    from policybot.bot import PolicyBot
    from policybot.settings import Settings

    root = tmp_path_factory.mktemp("two-plans")
    corpus = copy_seed_corpus(root / "corpus")
    twin = SEED.read_text(encoding="utf-8").replace("(牵头单位:市自然资源局;", "(牵头单位:贵阳市自然资源和规划局;")
    (corpus / "guiyang-plan.txt").write_text(twin, encoding="utf-8")
    meta = {"title": TWIN_TITLE, "doc_number": TWIN_NUMBER, "issuer": "贵阳市人民政府办公厅", "date": "2021-03-01"}
    (corpus / "guiyang-plan.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    bot = PolicyBot(Settings.from_env(env={}, corpus_dir=corpus, index_dir=root / "index"))
    bot.ensure_index()
    return bot


@pytest.mark.parametrize(
    ("question", "doc_number", "lead"),
    [
        (f"{TWIN_NUMBER}三（三）由哪个单位牵头？", TWIN_NUMBER, "贵阳市自然资源和规划局"),
        ("遵府办函[2020]141号三（三）由哪个单位牵头？", "遵府办函〔2020〕141号", "市自然资源局"),
        (f"《{TWIN_TITLE}》中加大用地支持由哪个部门牵头？", TWIN_NUMBER, "贵阳市自然资源和规划局"),
    ],
)
def test_the_document_a_question_names_is_the_one_answered(two_plans_bot, question, doc_number, lead) -> None:
    answer = two_plans_bot.ask(question)
    assert answer.found and answer.lead_units == (lead,)
    assert {c.doc_number for c in answer.citations} == {doc_number}


def test_a_clause_number_two_documents_share_gets_both_and_a_request_to_choose(two_plans_bot) -> None:
    answer = two_plans_bot.ask("三（三）由哪个单位牵头？")
    assert "请在问题中写明文号或文件名称" in answer.answer
    assert {c.doc_number for c in answer.citations} == {TWIN_NUMBER, "遵府办函〔2020〕141号"}
    assert "贵阳市自然资源和规划局" in answer.answer and "由市自然资源局牵头" in answer.answer
    # once a document has been answered from, a bare number follows it
    conversation = Conversation()
    two_plans_bot.ask(f"{TWIN_NUMBER}讲了什么？", conversation)
    follow_up = two_plans_bot.ask("三（三）由哪个单位牵头？", conversation)
    assert follow_up.lead_units == ("贵阳市自然资源和规划局",)


def test_a_search_naming_a_document_searches_only_that_document(two_plans_bot) -> None:
    hits = two_plans_bot.search(f"{TWIN_NUMBER} 加大用地支持", k=5).hits
    assert hits and {h.doc_number for h in hits} == {TWIN_NUMBER}
    assert hits[0].clause_id == "3.r2.3" and hits[0].lead_units == ("贵阳市自然资源和规划局",)
    both = two_plans_bot.search("加大用地支持", k=5).hits
    assert {h.doc_number for h in both} == {TWIN_NUMBER, "遵府办函〔2020〕141号"}


def test_a_question_about_a_named_document_gets_the_document(two_plans_bot) -> None:
    number = two_plans_bot.ask(f"《{TWIN_TITLE}》的文号是多少？")
    assert number.found and TWIN_NUMBER in number.answer
    outline = two_plans_bot.ask(f"{TWIN_NUMBER}的全文")
    assert outline.found and TWIN_TITLE in outline.answer and "四、保障措施" in outline.answer
    hits = two_plans_bot.search(f"帮我查一下{TWIN_NUMBER}", k=3).hits
    assert [h.doc_number for h in hits] == [TWIN_NUMBER] * 3
    assert hits[0].clause_id in ("notice", "preamble")


# --- what a unit is charged with --------------------------------------------------------------------------------


def _parsed_duties(bot, unit: str) -> tuple[list[str], list[str]]:
    """(clause ids the unit leads, clause ids it is a responsible unit of) in the seed, from the parse itself."""
    doc = bot.index.documents["zunyi-fubanhan-2020-141"]
    return (
        [c.id for c in doc.clauses if unit in c.lead_units],
        [c.id for c in doc.clauses if unit in c.responsible_units and unit not in c.lead_units],
    )


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("市自然资源局牵头哪些工作？", "市自然资源局"),
        ("哪些工作由市财政局牵头？", "市财政局"),
        ("发改委牵头什么工作", "市发展改革委"),  # the everyday short form
    ],
)
def test_what_a_unit_leads_lists_every_clause_it_leads(built_bot, question: str, unit: str) -> None:
    led, shared = _parsed_duties(built_bot, unit)
    answer = built_bot.ask(question)
    assert answer.intent == "duties" and answer.found
    assert [c.clause_id for c in answer.citations] == led
    assert f"牵头 {len(led)} 项工作" in answer.answer
    assert (f"参与 {len(shared)} 项" in answer.answer) == bool(shared)
    for clause_id in led:
        clause = built_bot.index.clause("zunyi-fubanhan-2020-141", clause_id)
        assert f"{clause.path}{clause.heading}" in answer.answer


def test_what_a_unit_is_responsible_for_lists_what_it_leads_then_what_it_shares(built_bot) -> None:
    led, shared = _parsed_duties(built_bot, "市住房城乡建设局")
    assert led and shared
    answer = built_bot.ask("住建局负责什么？")
    assert [c.clause_id for c in answer.citations] == (led + shared)[:10]
    assert "牵头：" in answer.answer and "参与：" in answer.answer


def test_a_question_about_a_clause_that_names_a_unit_is_not_a_list_of_duties(built_bot) -> None:
    answer = built_bot.ask("加大用地支持由市自然资源局牵头吗？")
    assert answer.intent != "duties"
    assert answer.citations and answer.citations[0].clause_id == "3.r2.3"


def test_a_units_duties_across_documents_and_in_the_one_named(two_plans_bot) -> None:
    both = two_plans_bot.ask("市财政局牵头哪些工作？")
    assert "在 2 份文件中牵头 2 项工作" in both.answer
    assert {c.doc_number for c in both.citations} == {"遵府办函〔2020〕141号", TWIN_NUMBER}
    assert both.answer.index(TWIN_NUMBER) < both.answer.index("遵府办函〔2020〕141号")  # the newer plan first
    one = two_plans_bot.ask(f"{TWIN_NUMBER}中市财政局牵头哪些工作？")
    assert [c.doc_number for c in one.citations] == [TWIN_NUMBER]
    # in the twin, Guiyang's bureau leads the planning and land clauses: each bureau gets only its own plan's
    zunyi = two_plans_bot.ask("市自然资源局牵头哪些工作？")
    assert {c.doc_number for c in zunyi.citations} == {"遵府办函〔2020〕141号"}
    guiyang = two_plans_bot.ask("贵阳市自然资源和规划局牵头哪些工作？")
    assert {c.doc_number for c in guiyang.citations} == {TWIN_NUMBER}
    assert [c.clause_id for c in guiyang.citations] == [c.clause_id for c in zunyi.citations]


# --- issue 15: answers that answer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "clause_id", "lead"),
    [
        ("财政支持由哪些部门牵头负责？", "3.r2.1", {"市财政局"}),
        ("规划引领由哪些部门牵头负责？", "3.2", {"市自然资源局"}),
    ],
)
def test_who_leads_is_not_led_astray_by_the_questions_own_words(built_bot, question, clause_id, lead) -> None:
    answer = built_bot.ask(question)
    assert answer.found and answer.citations[0].clause_id == clause_id
    assert set(answer.lead_units) == lead


@pytest.mark.parametrize(("question", "clause_id"), [("融资难怎么办？", "3.r2.2"), ("有没有税收减免？", "3.r2.4")])
def test_paraphrases_are_answered_from_the_right_clause(built_bot, question: str, clause_id: str) -> None:
    answer = built_bot.ask(question)
    assert answer.found, answer.answer
    assert answer.citations[0].clause_id == clause_id and not answer.citations[0].nearest_only


def test_the_answer_quotes_the_sentence_that_answers_not_the_clause_opening(built_bot) -> None:
    answer = built_bot.ask("企业能享受西部大开发所得税优惠吗？")
    assert answer.citations[0].clause_id == "3.r2.4"
    assert "西部大开发所得税优惠政策" in answer.answer[:300]
    assert "…" in answer.answer  # what is cut is marked


def test_ask_cites_what_search_shows_first_and_says_what_decided(built_bot) -> None:
    for question in ("用地方面有什么支持？", "镇上脏乱差怎么治", "小镇项目想找银行借钱，该找哪个部门"):
        answer = built_bot.ask(question)
        top = built_bot.search(question, k=1).hits[0]
        assert answer.decided_by == "search" and answer.citations[0].clause_id == top.clause_id
    assert built_bot.ask("三（三）").decided_by == "clause_number"
    assert built_bot.ask("什么是特色小镇").decided_by == "definition"
    assert built_bot.ask("遵府办函〔2020〕141号").to_json()["decided_by"] == "doc_number"


def test_who_leads_says_so_when_search_shows_first_a_clause_without_units(built_bot) -> None:
    question = "全市小镇建设的日常协调由哪个单位来抓"
    top = built_bot.search(question, k=1).hits[0]
    answer = built_bot.ask(question)
    assert not (top.lead_units or top.responsible_units)  # 二、总体目标 names no unit
    assert answer.citations[0].lead_units and answer.to_json()["decided_by"] == "lead_units"


def test_a_questions_unknown_subject_is_refused(built_bot) -> None:
    for question in ("遵义市最低工资标准是多少", "农村宅基地怎么申请", "贵阳市对特色小镇有什么扶持政策"):
        answer = built_bot.ask(question)
        assert not answer.found, answer.answer
        assert all(c.nearest_only for c in answer.citations)


def test_validity_names_the_sites_banner_instead_of_quoting_it(built_bot) -> None:
    answer = built_bot.ask("这个文件还有效吗")
    assert "现行有效" in answer.answer and "USHUI.NET" in answer.answer
    assert "提示" not in answer.answer and "遵府发〔2023〕11号" in answer.answer


def test_a_thing_no_document_speaks_of_counts_against_answering(built_bot) -> None:
    # 民宿 and 房产税 are words of the dictionary the plan never uses, nor any word related to them
    for question in ("镇上开民宿要办什么手续", "小城镇的房产税怎么交"):
        answer = built_bot.ask(question)
        assert answer.evidence is not None and answer.evidence.unknown_subject, question
        assert not answer.found, answer.answer


# --- issue 15, items 5-7: refusals you can trust -------------------------------------------------------------------


def test_asking_where_the_plan_says_something_wants_no_address(built_bot) -> None:
    answer = built_bot.ask("“政府引导、企业主体、市场化运作”的要求在哪里提到")
    assert answer.found, answer.answer
    assert answer.evidence is None or not answer.evidence.fact_missing


def test_only_words_that_may_name_a_subject_must_be_in_the_cited_document(built_bot) -> None:
    from policybot.retrieve.intent import understand

    words = built_bot.answerer.subject_words(understand("签了两年的合同，试用期最长能定多久？要不要备案？"))
    assert {"合同", "试用期"} <= words
    assert not {"两年", "多久", "不要", "要不要"} & words  # quantities and ways of asking
    assert "2025" in built_bot.answerer.subject_words(understand("2025年的补贴标准是多少"))  # a year scopes it


def test_a_word_that_qualifies_a_noun_is_part_of_the_subject(built_bot) -> None:
    from policybot.retrieve.intent import understand

    answerer = built_bot.answerer
    q = understand("云溪市殡葬补贴怎么申领？")
    subjects = {w for w, _ in answerer.subjects(q, answerer._asked(q))}
    assert {"殡葬", "补贴"} <= subjects  # jieba tags 殡葬 a verb: it says which 补贴
    q = understand("外国人住多久要交个税？")
    assert "要交" not in {w for w, _ in answerer.subjects(q, answerer._asked(q))}  # no word of the dictionary


def test_names_asked_for_are_refused_by_a_clause_that_only_counts_them(built_bot) -> None:
    for question in ("56个示范小城镇具体是哪些镇", "15个环境综合整治示范小城镇是哪几个"):
        answer = built_bot.ask(question)
        assert answer.evidence is not None and answer.evidence.names_missing, question
        assert not answer.found and answer.confidence == 0.0, answer.answer
    assert not built_bot.ask("可以培育哪些类型的特色小镇").evidence.names_missing  # kinds, not names


def test_a_compound_of_the_documents_words_is_no_unknown_subject(built_bot) -> None:
    from policybot.retrieve.intent import understand

    answerer = built_bot.answerer
    for question in ("建小镇对保护环境有什么要求？", "乡镇干部想学规划管理，有没有培训机会？"):
        assert not answerer.unknown_subjects(understand(question)), question  # 保护+环境, 乡镇+干部
        assert built_bot.ask(question).found, question
    assert answerer.unknown_subjects(understand("农村宅基地怎么申请"))  # the plan knows 基地 alone, not 宅基


def test_an_office_no_document_names_is_an_unknown_subject(built_bot) -> None:
    answerer = built_bot.answerer
    assert answerer.unknown_organization("市公安局")
    assert answerer.unknown_organization("遵义市公安局")
    for named in ("市财政局", "市税务局", "住建局", "市发改委"):  # the plan's units, in full or short
        assert not answerer.unknown_organization(named), named
    assert not answerer.unknown_organization("融资")


@pytest.mark.parametrize(
    ("question", "clause_id"),
    [("到小镇开公司，税能少交吗", "3.r2.4"), ("小镇建设会不会变成做给上面看的面子工程", "1.2.1")],
)
def test_colloquial_paraphrases_are_answered(built_bot, question: str, clause_id: str) -> None:
    answer = built_bot.ask(question)
    assert answer.found, answer.answer
    assert answer.citations[0].clause_id == clause_id


# a small law, and a notice that uses the words of time and manner a lay question adds (以后, 一天, 不要)
LAW_MD = """# 示例劳动保障条例

2020年1月1日 通过

<!-- INFO END -->

## 第一章 总则

第一条 为了保障劳动者的合法权益，制定本条例。

第二条 每年农历九月初九为示例节。

## 第二章 劳动关系

第三条 用人单位应当在解除或者终止劳动合同时出具解除或者终止劳动合同的证明，并在十五日内为劳动者办理档案和社会保险关系转移手续。

第四条 用人单位不得扣押劳动者的居民身份证和其他证件。

第五条 本条例所称老年人是指六十周岁以上的公民。
"""
NOTICE = "某市关于假期安排的通知\n一、安排\n以后每年放假一天，请不要迟到，不要早退，以后照此执行。\n"


@pytest.fixture(scope="module")
def law_bot(bot_copy):
    bot = bot_copy()
    bot.add_document("示例劳动保障条例(2020-01-01).md", LAW_MD.encode())
    bot.add_document("mouxian-jiaqi.txt", NOTICE.encode())
    return bot


@pytest.mark.parametrize(
    ("question", "article"),
    [("离职以后公司多长时间内要帮我转档案和社保？", "第三条"), ("示例节是哪一天？", "第二条")],
)
def test_words_of_time_and_manner_are_not_what_a_question_is_about(law_bot, question: str, article: str) -> None:
    # 以后 and 一天 are rare in the corpus and absent from the law, but a question is about 档案, 示例节
    answer = law_bot.ask(question)
    assert answer.found, answer.answer
    assert answer.citations[0].clause_path == article


def test_asked_who_counts_as_a_term_the_answer_cites_the_article_defining_it(law_bot) -> None:
    answer = law_bot.ask("法律上多大年纪算老年人？")
    assert answer.found and answer.decided_by == "definition"
    assert answer.citations[0].clause_path == "第五条" and "六十周岁" in answer.answer


def test_a_document_the_corpus_lacks_is_answered_by_the_clause_that_cites_it(built_bot) -> None:
    answer = built_bot.ask("黔府办发〔2019〕20号和本方案是什么关系")
    assert answer.found and answer.to_json()["decided_by"] == "cited_doc_number"
    assert answer.answer.startswith("现有文件中没有收录黔府办发〔2019〕20号本身")
    assert answer.citations[0].clause_id == "preamble"
    assert not built_bot.ask("国发〔2016〕5号讲了什么").found  # cited nowhere: refused


def test_a_clause_that_counts_or_dates_things_does_not_give_sums_names_or_days(built_bot) -> None:
    # 三（一） counts 56 towns and 三（二） dates 2022: neither gives a sum, the towns' names or a number of days
    for question in (
        "小城镇“8+X”项目每个镇投资多少钱",
        "56个示范小城镇具体是哪些镇",
        "特色小镇项目办规划许可要多少个工作日",
    ):
        answer = built_bot.ask(question)
        assert answer.evidence is not None and answer.evidence.fact_missing, question
    for question in ("小城镇“8+X”项目每个镇投资多少钱", "特色小镇项目办规划许可要多少个工作日"):
        assert not built_bot.ask(question).found, question


def test_a_noun_whose_tail_is_a_known_word_is_still_unknown(built_bot) -> None:
    # 宅基地 ends in 基地 (创业基地), but names another thing
    answer = built_bot.ask("农村宅基地怎么申请")
    assert answer.evidence is not None and answer.evidence.unknown_subject


def test_a_chapter_named_in_the_question_resolves_to_its_article_that_search_would_rank_first(law_bot) -> None:
    # 劳动关系 names 第二章; of its articles, the one with the days asked for answers (第四条 shares 证件 only)
    answer = law_bot.ask("劳动关系解除以后，证件和档案多少天内要转走？")
    assert answer.decided_by == "heading"
    assert answer.citations[0].clause_path == "第三条", answer.answer


def test_who_leads_this_matter_and_on_which_day_the_plan_was_issued(built_bot) -> None:
    answer = built_bot.ask("规划编制这件事由谁牵头？")  # jieba cuts 这件/事由: no subject of the question
    assert answer.found and answer.citations[0].clause_id == "3.2", answer.answer
    issued = built_bot.ask("这个方案是哪一天印发的？")
    assert issued.decided_by == "metadata" and "2020-07-13" in issued.answer
    assert built_bot.ask("专项资金申报截止到哪一天").decided_by != "metadata"  # a deadline, not the plan's date

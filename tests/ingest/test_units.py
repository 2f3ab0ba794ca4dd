"""units: the 牵头单位/责任单位 a clause names come out whole, in order, and the clause text keeps the rest."""

from __future__ import annotations

from policybot.ingest.units import extract_units, labelled_units, match_bracket, split_units


def test_a_units_parenthetical_is_taken_out_of_the_text_and_split() -> None:
    text = "加大用地支持，优先保障特色小镇建设用地。（牵头单位：市自然资源局；责任单位：市住房城乡建设局、各县〔市、区〕人民政府）"
    body, lead, responsible, note = extract_units(text)
    assert body == "加大用地支持，优先保障特色小镇建设用地。"
    assert lead == ("市自然资源局",)
    assert responsible == ("市住房城乡建设局", "各县〔市、区〕人民政府")  # the 、 inside 〔〕 does not split
    assert note == text[len(body) :]
    assert body + note == text  # nothing of the source is lost


def test_only_the_last_parenthetical_names_the_units() -> None:
    text = "按照（牵头单位：甲）的分工推进。（牵头单位：市财政局，市发展改革委）"
    body, lead, responsible, note = extract_units(text)
    assert lead == ("市财政局", "市发展改革委") and responsible == ()
    assert body == "按照（牵头单位：甲）的分工推进。" and note == "（牵头单位：市财政局，市发展改革委）"


def test_a_clause_without_units_is_left_as_it_is() -> None:
    text = "各地要高度重视，加强组织领导（详见附件）。"
    assert extract_units(text) == (text, (), (), "")


def test_主责单位_counts_as_lead_and_配合单位_as_responsible() -> None:
    _, lead, responsible, _ = extract_units("完善机制。（责任单位：市市场监管局；主责单位：市商务局）")
    assert lead == ("市商务局",) and responsible == ("市市场监管局",)
    _, lead, responsible, _ = extract_units("完善机制。（牵头单位：市商务局；配合单位：市市场监管局、市税务局）")
    assert lead == ("市商务局",) and responsible == ("市市场监管局", "市税务局")


def test_a_table_cell_with_labels_but_no_brackets_reads_as_units() -> None:
    assert labelled_units("牵头单位：市教育局；责任单位：市财政局、市人力资源社会保障局") == (
        ("市教育局",),
        ("市财政局", "市人力资源社会保障局"),
    )
    assert labelled_units("市教育局、市财政局") is None  # no labels: the column heading says what it is


def test_brackets_nest_across_kinds_and_an_unclosed_one_is_minus_one() -> None:
    text = "（甲〔乙（丙）〕丁）后"
    assert match_bracket(text, 0) == text.index("）后")
    assert match_bracket("（未闭合", 0) == -1
    assert split_units("甲、乙（丙、丁）, 戊，，") == ["甲", "乙（丙、丁）", "戊"]


def test_a_parenthetical_never_closed_keeps_its_last_units_whole() -> None:
    # a scraped page cut off before the closing bracket
    _, lead, responsible, _ = extract_units("加强用地保障。（牵头单位：市自然资源局；责任单位：市发展改革委")
    assert lead == ("市自然资源局",)
    assert responsible == ("市发展改革委",)

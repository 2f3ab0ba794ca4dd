"""Enterprise self-check: which benefit clauses may apply, with conditions met or unknown, and whom to call."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policybot.answer.selfcheck import EnterpriseProfile, extract_conditions, merge_profiles, profile_from_text

BENEFITS = Path(__file__).resolve().parents[1] / "data" / "benefits" / "benefit-measures-2023.txt"


def test_food_company_in_a_town_gets_industry_support_with_conditions(built_bot) -> None:
    profile = EnterpriseProfile(
        industry="特色食品加工", in_town=True, size="小微", encouraged_industry=True, needs=("税收", "资金")
    )
    benefits = built_bot.self_check(profile)
    top = benefits[0]
    assert top.citation.clause_id == "3.r2.4"
    assert set(top.contact) == {"市工业和能源局", "市商务局"}
    statuses = {c.text: c.status for c in top.conditions}
    assert statuses["符合国家产业结构调整的指导目录鼓励类产业企业"] == "met" or any(
        "鼓励类" in text and status == "met" for text, status in statuses.items()
    )
    assert any("落户特色小镇和小城镇" in text and status == "met" for text, status in statuses.items())


def test_unknown_conditions_stay_unknown(built_bot) -> None:
    benefits = built_bot.self_check(EnterpriseProfile(needs=("人才",)))
    talent = next(b for b in benefits if b.citation.clause_id == "3.r2.5")
    assert talent.conditions and all(c.status == "unknown" for c in talent.conditions)
    assert set(talent.contact) == {"市委组织部", "市人力资源社会保障局"}


def test_not_encouraged_industry_is_marked_not_met(built_bot) -> None:
    benefits = built_bot.self_check(EnterpriseProfile(encouraged_industry=False, in_town=True, needs=("税收",)))
    industry = [b for b in benefits if b.citation.clause_id == "3.r2.4"]
    assert all(any(c.status == "not_met" for c in b.conditions) for b in industry)


def test_free_text_profile() -> None:
    profile = profile_from_text("我们是一家做特色食品的小微企业，准备落户特色小镇，属于鼓励类产业，需要贷款和用地。")
    assert profile.in_town is True and profile.encouraged_industry is True
    assert profile.industry == "特色食品" and profile.size == "小微"
    assert set(profile.needs) >= {"融资", "用地"}
    assert profile.talent is None
    merged = merge_profiles(EnterpriseProfile(in_town=False), profile)
    assert merged.in_town is False and merged.encouraged_industry is True


def test_free_text_self_check_through_the_bot(built_bot) -> None:
    benefits = built_bot.self_check("特色食品小微企业，落户在小城镇，想申请贷款")
    ids = [b.citation.clause_id for b in benefits]
    assert "3.r2.2" in ids and "3.r2.4" in ids


def test_conditions_are_read_from_the_clause_text() -> None:
    text = "对符合产业发展方向,落户特色小镇和小城镇的企业、人才,享有优惠。对符合国家供地政策的项目,应保尽保。"
    conditions = extract_conditions(text)
    assert any("符合产业发展方向" in c for c in conditions)
    assert any("符合国家供地政策的" in c for c in conditions)


ENTERPRISE_SIDE = {"企业", "人才"}


@pytest.fixture(scope="module")
def with_measures(bot_copy):
    """The seed beside written measures that reward firms, talent, counties, towns and poor households."""
    bot = bot_copy()
    shutil.copy(BENEFITS, bot.settings.corpus_dir / BENEFITS.name)
    bot.ensure_index()
    return bot


def listed(benefits) -> set[tuple[str, str]]:
    return {(b.citation.doc_number, b.citation.clause_path) for b in benefits}


def test_a_county_reward_is_never_offered_to_an_enterprise(built_bot) -> None:
    benefits = built_bot.self_check(EnterpriseProfile(needs=("资金", "用地", "融资", "税收", "人才")))
    # 三（一）加大财政支持: 以奖代补 for counties that pass the check; the other benefit clauses stay
    assert "3.r2.1" not in {b.citation.clause_id for b in benefits}
    assert {"3.r2.2", "3.r2.3", "3.r2.4", "3.r2.5"} <= {b.citation.clause_id for b in benefits}
    assert all(set(b.beneficiaries) & ENTERPRISE_SIDE for b in benefits)


def test_an_enterprise_sees_only_what_an_enterprise_can_claim(with_measures) -> None:
    benefits = with_measures.self_check(EnterpriseProfile(size="小微", needs=("资金", "融资", "人才")))
    measures = {path for number, path in listed(benefits) if number == "青府办发〔2023〕5号"}
    assert measures == {"一（一）", "一（二）", "二（一）"}
    for b in benefits:
        assert set(b.beneficiaries) & ENTERPRISE_SIDE
        assert "县（市、区）" not in b.summary and "乡镇" not in b.summary and "低保" not in b.summary


def test_the_firm_size_a_clause_names_is_judged(with_measures) -> None:
    def rent(size: str):
        benefits = with_measures.self_check(EnterpriseProfile(size=size, needs=("资金",)))
        return next((b for b in benefits if b.citation.clause_path == "一（一）" and "租金" in b.summary), None)

    small = rent("小微")
    assert small is not None and any("小微企业" in c.text and c.status == "met" for c in small.conditions)
    large = rent("大型")
    assert large is None or any("小微企业" in c.text and c.status == "not_met" for c in large.conditions)
    unknown = rent("")
    assert unknown is not None and any(c.reason == "未说明企业规模" for c in unknown.conditions)


def test_the_self_check_names_who_may_claim(with_measures) -> None:
    from policybot.web.render import benefits_markdown

    benefits = with_measures.self_check(EnterpriseProfile(needs=("人才",)))
    talent = next(
        b for b in benefits if b.citation.doc_number == "青府办发〔2023〕5号" and b.citation.clause_path == "二（一）"
    )
    assert talent.beneficiaries == ("人才",)
    assert "**享受主体**：人才" in benefits_markdown([talent])


def test_a_repealed_document_offers_nothing(bot_copy) -> None:
    bot = bot_copy()
    repeal = Path(__file__).resolve().parents[1] / "data" / "links" / "zunyi-repeal-decision-2024.txt"
    shutil.copy(repeal, bot.settings.corpus_dir / repeal.name)
    bot.ensure_index()
    assert bot.self_check(EnterpriseProfile(needs=("用地", "融资"))) == []

"""Enterprise self-check: which benefit clauses may apply, with conditions met or unknown, and whom to call."""

from __future__ import annotations

from policybot.answer.selfcheck import EnterpriseProfile, extract_conditions, merge_profiles, profile_from_text


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

"""Who may benefit (享受主体): read from the sentences that offer something, so that a county's reward is never
offered to a firm."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybot.answer.beneficiaries import ENTERPRISE, GOVERNMENT, INDIVIDUAL, TALENT, beneficiaries_of
from policybot.ingest.corpus import read_document

BENEFITS = Path(__file__).resolve().parents[1] / "data" / "benefits" / "benefit-measures-2023.txt"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("对新落户产业园区的小微企业，按实际租金的50%给予补贴。", (ENTERPRISE,)),
        ("对企业新引进的博士研究生，给予每人20万元安家补助。", (TALENT,)),
        ("对年度考核优秀的县（市、区），采取以奖代补方式给予奖励资金。", (GOVERNMENT,)),
        ("落实省级对验收合格的县(市、区)开展“以奖代补”政策。", (GOVERNMENT,)),
        ("对城乡低保家庭给予临时生活补助。", (INDIVIDUAL,)),
        ("对符合产业发展方向,落户特色小镇和小城镇的企业、人才,享有优惠政策的支持。", (ENTERPRISE, TALENT)),
        # the town only says where the firms are
        ("支持特色小镇和小城镇中小企业创业基地建设。", (ENTERPRISE,)),
        # the banks act; the firms and their projects receive
        ("鼓励各类金融机构根据投资主体及项目特点，提供综合融资服务。", (ENTERPRISE,)),
        ("各地要优先保障特色小镇和小城镇建设用地。", (GOVERNMENT,)),
    ],
)
def test_the_receiver_is_read_from_the_offer(text: str, kinds: tuple[str, ...]) -> None:
    assert beneficiaries_of(text).kinds == kinds


def test_a_sentence_that_offers_nothing_names_no_receiver() -> None:
    found = beneficiaries_of("对应由市场主导的项目，要厘清政府与市场的边界。")
    assert not found.stated and found.offers == ()


def test_a_clause_for_counties_and_firms_offers_firms_only_their_sentences() -> None:
    text = "保障小城镇新增建设用地规模。对符合国家供地政策的项目，在建设用地审批中应保尽保。"
    found = beneficiaries_of(text)
    assert found.kinds == (GOVERNMENT, ENTERPRISE)
    assert found.open_to_enterprises()
    assert found.enterprise_offers() == ("对符合国家供地政策的项目，在建设用地审批中应保尽保。",)
    assert found.labels() == ("地方政府和部门", "企业")


def test_each_clause_of_the_written_measures_gets_its_receivers() -> None:
    doc = read_document(BENEFITS)
    kinds = {c.path: beneficiaries_of(c.text).kinds for c in doc.clauses if c.text}
    assert kinds["一（一）"] == (ENTERPRISE,)
    assert kinds["一（二）"] == (ENTERPRISE,)
    assert kinds["二（一）"] == (TALENT,)
    assert kinds["三（一）"] == (GOVERNMENT,)
    assert kinds["三（二）"] == (GOVERNMENT,)
    assert kinds["四（一）"] == (INDIVIDUAL,)

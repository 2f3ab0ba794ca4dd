"""Enterprise self-check (惠企政策自查): which benefit clauses may apply to a profile, and on what conditions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policybot.answer.answerer import Answerer, Citation
from policybot.answer.beneficiaries import Beneficiaries, clause_beneficiaries
from policybot.document import Clause, Document, normalize
from policybot.retrieve.validity import is_current

# "对符合产业发展方向,落户特色小镇和小城镇的企业、人才" → the phrase between 对 and the beneficiary
CONDITION_RE = re.compile(r"(?:对(?:于)?|凡)([^。；;]{2,60}?的[^，,。；;]{0,30})|(具有[^。；;，,]{2,60}?的)人员")
SIZES = ("小微", "中小", "中型", "大型")
NEED_WORDS = {
    "用地": ("用地", "土地", "建设用地", "指标"),
    "融资": ("融资", "金融", "贷款", "银行", "保险"),
    "资金": ("资金", "财政", "以奖代补", "补"),
    "人才": ("人才", "引进", "学历", "职称"),
    "税收": ("税", "所得税"),
}
# what a size word in a clause admits: "中小企业" takes a small or a medium firm, not a large one
SIZE_ADMITS = {
    "中小微企业": ("小微", "中小", "中型"),
    "中小企业": ("小微", "中小", "中型"),
    "小微企业": ("小微",),
    "大型企业": ("大型",),
}
SIZE_RE = re.compile("|".join(SIZE_ADMITS))
IN_TOWN_RE = re.compile(r"特色小镇|小城镇|示范镇|小镇")
ENCOURAGED_RE = re.compile(r"鼓励类")
TALENT_RE = re.compile(r"研究生|硕士|博士|副高|高级职称|急需紧缺")
INDUSTRY_RE = re.compile(r"产业发展方向|特色产业|特色食品|旅游商品|农村产业革命|旅游业|服务业|养老业")
FAVOURED_INDUSTRIES = (
    "特色食品",
    "旅游商品",
    "旅游",
    "农业",
    "农产品",
    "服务",
    "养老",
    "文旅",
    "茶",
    "酒",
    "食品",
    "民宿",
)


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    """What an enterprise tells us about itself; None means it did not say."""

    industry: str = ""
    in_town: bool | None = None
    size: str = ""
    encouraged_industry: bool | None = None
    talent: bool | None = None
    needs: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition a clause sets, and whether the profile meets it."""

    text: str
    status: str  # met | not_met | unknown
    reason: str


@dataclass(frozen=True, slots=True)
class Benefit:
    """A benefit clause that may apply: what it offers, its conditions, and whom to contact."""

    citation: Citation
    summary: str
    conditions: tuple[Condition, ...]
    contact: tuple[str, ...]
    relevance: float
    # who the clause says may claim it (企业、人才); for an enterprise these always include 企业 or 人才
    beneficiaries: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The benefit as `policybot selfcheck --json` and /api/selfcheck give it."""
        c = self.citation
        return {
            "doc_id": c.doc_id,
            "doc_title": c.doc_title,
            "doc_number": c.doc_number,
            "clause_id": c.clause_id,
            "clause_path": c.clause_path,
            "heading": c.heading,
            "beneficiaries": list(self.beneficiaries),
            "summary": self.summary,
            "conditions": [{"text": x.text, "status": x.status, "reason": x.reason} for x in self.conditions],
            "contact": list(self.contact),
        }


def _said(text: str, yes: re.Pattern[str], no_words: tuple[str, ...]) -> bool | None:
    if any(w in text for w in no_words):
        return False
    return True if yes.search(text) else None


def profile_from_text(text: str) -> EnterpriseProfile:
    """Read a free-text self-description into a profile (only what it states; the rest stays unknown)."""
    norm = normalize(text)
    needs = tuple(need for need, words in NEED_WORDS.items() if any(w in norm for w in words))
    industry = next((w for w in FAVOURED_INDUSTRIES if w in norm), "")
    size = next((s for s in SIZES if s in norm), "")
    return EnterpriseProfile(
        industry=industry,
        in_town=_said(norm, IN_TOWN_RE, ("不在特色小镇", "不在小城镇", "不在小镇", "没有落户")),
        size=size,
        encouraged_industry=_said(norm, ENCOURAGED_RE, ("不属于鼓励类", "非鼓励类", "不是鼓励类")),
        talent=_said(norm, TALENT_RE, ("不引进人才", "没有人才")),
        needs=needs,
        description=text,
    )


def merge_profiles(form: EnterpriseProfile, text: EnterpriseProfile) -> EnterpriseProfile:
    """Form fields win; free text fills what the form left unknown."""
    return EnterpriseProfile(
        industry=form.industry or text.industry,
        in_town=form.in_town if form.in_town is not None else text.in_town,
        size=form.size or text.size,
        encouraged_industry=form.encouraged_industry
        if form.encouraged_industry is not None
        else text.encouraged_industry,
        talent=form.talent if form.talent is not None else text.talent,
        needs=tuple(dict.fromkeys((*form.needs, *text.needs))),
        description=form.description or text.description,
    )


def _judge(condition: str, profile: EnterpriseProfile) -> Condition:
    def verdict(value: bool | None, what: str) -> Condition:
        if value is None:
            return Condition(condition, "unknown", f"未说明是否{what}")
        return Condition(condition, "met" if value else "not_met", ("已说明" if value else "已说明不") + what)

    size = SIZE_RE.search(condition)
    if size:
        if not profile.size:
            return Condition(condition, "unknown", "未说明企业规模")
        fits = profile.size in SIZE_ADMITS[size.group()]
        return Condition(
            condition, "met" if fits else "not_met", f"企业规模“{profile.size}”" + ("符合" if fits else "不符合")
        )
    if ENCOURAGED_RE.search(condition):
        return verdict(profile.encouraged_industry, "属于鼓励类产业")
    if TALENT_RE.search(condition):
        return verdict(profile.talent, "引进此类人才")
    if IN_TOWN_RE.search(condition) and re.search(r"落户|位于|在", condition):
        return verdict(profile.in_town, "落户特色小镇或小城镇")
    if INDUSTRY_RE.search(condition):
        if not profile.industry:
            return Condition(condition, "unknown", "未说明所属行业")
        fits = any(w in profile.industry for w in FAVOURED_INDUSTRIES)
        return Condition(
            condition,
            "met" if fits else "unknown",
            f"行业“{profile.industry}”" + ("属条款列举的方向" if fits else "需向牵头单位确认"),
        )
    return Condition(condition, "unknown", "需向牵头单位确认")


def extract_conditions(text: str) -> list[str]:
    """The conditions a clause states ('对符合…的', '落户…的', '具有…的人员', a firm's size), split at commas, in order."""
    found: list[str] = []
    for m in CONDITION_RE.finditer(text):
        phrase = next(g for g in m.groups() if g)
        for part in re.split(r"[,，]", phrase):
            part = part.strip()
            if len(part) >= 4 and part not in found:
                found.append(part)
    for size in dict.fromkeys(SIZE_RE.findall(text)):
        if not any(size in part for part in found):
            found.append(f"企业规模：{size}")
    return found


def _claimable_clauses(documents: dict[str, Document]) -> list[tuple[Document, Clause, Beneficiaries]]:
    """Clauses with an offer an enterprise can claim, itself or for its talent; never one only for governments,
    residents or institutions, nor one of a document no longer in force."""
    found = []
    for doc in documents.values():
        if not is_current(doc.validity):
            continue
        for clause in doc.clauses:
            if not clause.text or clause.id in ("notice", "preamble"):
                continue
            receivers = clause_beneficiaries(clause)
            if receivers.open_to_enterprises():
                found.append((doc, clause, receivers))
    return found


def _relevance(profile: EnterpriseProfile, clause: Clause, conditions: list[Condition]) -> float:
    text = clause.heading + clause.text
    score = 1.0  # an offer to enterprises
    for need in profile.needs:
        score += sum(1.0 for w in NEED_WORDS.get(need, ()) if w in clause.heading) * 2
        score += 0.5 if any(w in text for w in NEED_WORDS.get(need, ())) else 0.0
    if profile.industry and profile.industry in text:
        score += 2.0
    score += sum(1.0 for c in conditions if c.status == "met")
    score -= sum(3.0 for c in conditions if c.status == "not_met")
    return score


def self_check(answerer: Answerer, profile: EnterpriseProfile | str, limit: int = 8) -> list[Benefit]:
    """Benefit clauses that may apply to the enterprise, most relevant first, with each condition judged."""
    if isinstance(profile, str):
        profile = profile_from_text(profile)
    benefits = []
    for doc, clause, receivers in _claimable_clauses(answerer.documents):
        offers = receivers.enterprise_offers()
        conditions = [_judge(c, profile) for c in extract_conditions("".join(offers))]
        relevance = _relevance(profile, clause, conditions)
        if relevance <= 0:
            continue
        hit = answerer.hit_for(doc.doc_id, clause.id, relevance)
        benefits.append(
            Benefit(
                citation=Citation.from_hit(hit),
                summary="".join(offers[:2]),
                conditions=tuple(conditions),
                contact=clause.lead_units,
                relevance=relevance,
                beneficiaries=receivers.labels(),
            )
        )
    benefits.sort(key=lambda b: -b.relevance)
    return benefits[:limit]

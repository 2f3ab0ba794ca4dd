"""Who may benefit from a clause (享受主体): enterprises, talent, individuals, organisations or governments, read from
the sentences that offer something ("对验收合格的县（市、区）…以奖代补" benefits counties, not firms)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policybot.document import Clause, normalize
from policybot.retrieve.excerpt import sentences as excerpt_sentences

# a sentence offers something when it says so in one of these words
OFFER_RE = re.compile(
    r"优惠|享受|享有|补贴|补助|奖励|奖补|以奖代补|倾斜|支持|扶持|融资|贷款|用地|指标|绿色通道|减免|免征|专项资金"
)

ENTERPRISE, TALENT, INDIVIDUAL, ORGANISATION, GOVERNMENT = (
    "enterprise",
    "talent",
    "individual",
    "organisation",
    "government",
)
KIND_LABELS = {
    ENTERPRISE: "企业",
    TALENT: "人才",
    INDIVIDUAL: "个人",
    ORGANISATION: "社会组织和机构",
    GOVERNMENT: "地方政府和部门",
}
# nouns that name who receives; longer forms first so that 失业人员 is an individual, not 人员 (talent)
NOUNS: tuple[tuple[str, str], ...] = (
    ("中小微企业", ENTERPRISE),
    ("中小企业", ENTERPRISE),
    ("小微企业", ENTERPRISE),
    ("民营企业", ENTERPRISE),
    ("企业", ENTERPRISE),
    ("个体工商户", ENTERPRISE),
    ("市场主体", ENTERPRISE),
    ("经营主体", ENTERPRISE),
    ("投资主体", ENTERPRISE),
    ("用人单位", ENTERPRISE),
    ("合作社", ENTERPRISE),
    ("公司", ENTERPRISE),
    ("商户", ENTERPRISE),
    ("项目", ENTERPRISE),
    ("产业", ENTERPRISE),
    ("失业人员", INDIVIDUAL),
    ("困难人员", INDIVIDUAL),
    ("退役军人", INDIVIDUAL),
    ("专业技术人员", TALENT),
    ("高校毕业生", TALENT),
    ("毕业生", TALENT),
    ("人才", TALENT),
    ("专家", TALENT),
    ("博士", TALENT),
    ("硕士", TALENT),
    ("研究生", TALENT),
    ("人员", TALENT),
    ("个人", INDIVIDUAL),
    ("居民", INDIVIDUAL),
    ("群众", INDIVIDUAL),
    ("农民", INDIVIDUAL),
    ("农户", INDIVIDUAL),
    ("家庭", INDIVIDUAL),
    ("老年人", INDIVIDUAL),
    ("残疾人", INDIVIDUAL),
    ("学生", INDIVIDUAL),
    ("职工", INDIVIDUAL),
    ("劳动者", INDIVIDUAL),
    ("贫困人口", INDIVIDUAL),
    ("脱贫人口", INDIVIDUAL),
    ("社会组织", ORGANISATION),
    ("金融机构", ORGANISATION),
    ("协会", ORGANISATION),
    ("学校", ORGANISATION),
    ("高校", ORGANISATION),
    ("医院", ORGANISATION),
    ("县(市、区、特区)", GOVERNMENT),
    ("县(市、区)", GOVERNMENT),
    ("县(市)", GOVERNMENT),
    ("县市区", GOVERNMENT),
    ("区县", GOVERNMENT),
    ("县级", GOVERNMENT),
    ("市州", GOVERNMENT),
    ("乡(镇)", GOVERNMENT),
    ("乡镇", GOVERNMENT),
    ("街道", GOVERNMENT),
    ("示范小城镇", GOVERNMENT),
    ("特色小城镇", GOVERNMENT),
    ("小城镇", GOVERNMENT),
    ("特色小镇", GOVERNMENT),
    ("示范镇", GOVERNMENT),
    ("人民政府", GOVERNMENT),
    ("政府", GOVERNMENT),
    ("管委会", GOVERNMENT),
    ("园区", GOVERNMENT),
    ("各地", GOVERNMENT),
    ("地方", GOVERNMENT),
    ("部门", GOVERNMENT),
    ("机关", GOVERNMENT),
    ("事业单位", GOVERNMENT),
)
NOUN_RE = re.compile("|".join(re.escape(noun) for noun, _ in NOUNS))
KIND_OF = dict(NOUNS)
# where a receiver is named: after 对/对于/凡/向 (up to the sentence end), after a giving verb, or right after 的
TRIGGER_RE = re.compile(r"(?:对于|对|凡|向)(?!应)([^。；;]{1,80})")
VERB_RE = re.compile(r"(?:支持|鼓励|扶持|奖励|补助|补贴|引进|保障|吸引|帮助|给予)([^，,。；;]{1,24})")
AFTER_DE_RE = re.compile(r"的([^，,。；;]{0,14})")
# a receiver named just before what it does is the actor, not the receiver ("各类金融机构加大…力度", "各地要…")
ACTOR_AFTER_RE = re.compile(r"加大|提供|根据|要|应|负责|牵头|落实|开展|组织|按照|加强|积极|做好|可结合")
ENTERPRISE_SIDE = (ENTERPRISE, TALENT)
PHRASE_CAP = 16  # a receiver's noun list after 的 is short: "企业、人才", "县(市、区)"


@dataclass(frozen=True, slots=True)
class Offer:
    """One sentence that offers something, and whom it names as receiving it."""

    sentence: str
    kinds: tuple[str, ...]
    nouns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Beneficiaries:
    """Who a clause's offers go to: the kinds (enterprise, talent, …) in the order first named, and each offer."""

    kinds: tuple[str, ...] = ()
    offers: tuple[Offer, ...] = ()

    @property
    def stated(self) -> bool:
        """False when the clause offers something but does not say to whom."""
        return bool(self.kinds)

    def labels(self) -> tuple[str, ...]:
        """The kinds in Chinese, for display: 企业、人才."""
        return tuple(KIND_LABELS[k] for k in self.kinds)

    def open_to_enterprises(self) -> bool:
        """True when an enterprise can claim it, itself or for the talent it brings in."""
        return any(k in ENTERPRISE_SIDE for k in self.kinds)

    def enterprise_offers(self) -> tuple[str, ...]:
        """The sentences whose offer goes to enterprises or their talent (not those for counties or residents)."""
        return tuple(o.sentence for o in self.offers if any(k in ENTERPRISE_SIDE for k in o.kinds))


def _nouns_in(phrase: str, drop_actors: bool = True) -> list[str]:
    """The receiver nouns a phrase names, without those that act ("金融机构加大…") unless the phrase is an object."""
    return [m.group() for m in NOUN_RE.finditer(phrase) if not (drop_actors and ACTOR_AFTER_RE.match(phrase, m.end()))]


def _receiver_nouns(sentence: str) -> list[list[str]]:
    """For each part of a sentence that names whom it benefits, the receiver nouns it names."""
    found = []
    for m in TRIGGER_RE.finditer(sentence):
        body = m.group(1)
        # "对符合…的企业、人才" names its receivers (the object, even if it acts next) after the last 的;
        # with no 的 they open the phrase
        tails = [_nouns_in(t[:PHRASE_CAP], drop_actors=False) for t in AFTER_DE_RE.findall(body)]
        named = [t for t in tails if t]
        found.append(named[-1] if named else _nouns_in(re.split(r"[，,]", body)[0]))
    found += [_nouns_in(m.group(1)) for m in VERB_RE.finditer(sentence)]
    found += [_nouns_in(t[:PHRASE_CAP]) for t in AFTER_DE_RE.findall(sentence)]
    return [nouns for nouns in found if nouns]


def _receivers(nouns: list[str]) -> list[str]:
    """Places named beside a firm or a person only say where it is ("小城镇中小企业"): drop them then."""
    if any(KIND_OF[n] != GOVERNMENT for n in nouns):
        return [n for n in nouns if KIND_OF[n] != GOVERNMENT]
    return nouns


def beneficiaries_of(text: str) -> Beneficiaries:
    """Who the offering sentences of a text benefit, in the order they are first named."""
    offers = []
    for shown in excerpt_sentences(text):
        sentence = normalize(shown)
        if not OFFER_RE.search(sentence):
            continue
        nouns = [n for named in _receiver_nouns(sentence) for n in _receivers(named)]
        if nouns:
            kinds = tuple(dict.fromkeys(KIND_OF[n] for n in nouns))
            offers.append(Offer(shown.strip(), kinds, tuple(dict.fromkeys(nouns))))
    all_kinds = tuple(dict.fromkeys(k for offer in offers for k in offer.kinds))
    return Beneficiaries(all_kinds, tuple(offers))


def clause_beneficiaries(clause: Clause) -> Beneficiaries:
    """Who a clause benefits, from its heading and text."""
    return beneficiaries_of(clause.text)

"""The part of a clause that answers a question: its best sentences, with a little context, cuts marked with ….

A 1,000-character paragraph quoted from its start hides the sentence a person asked about ("电话是多少？" is
answered by the sentence with the number, half way down). Each sentence is scored by the question's words (rare
words count more, related words less) and by what kind of fact the question wants (a phone number, a sum of money,
a percentage, a cap, a date or a duration, a place, an account, materials, a definition), with a little credit for
lying in the part of the clause search matched. The best sentence is quoted, and the second best beside it when it
answers nearly as well, with … for what is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from policybot.document import normalize

SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?[”’」』）)]?|\n")
WHOLE_CLAUSE_CHARS = 160  # a clause this short is quoted whole
EXCERPT_CHARS = 220  # the best sentence and its context, about this long
WINDOW_CREDIT = 0.1  # for lying in the part of the clause search matched
CUE_SHARE = 0.15  # per unit of a cue's weight: a phone number (3) adds 0.45, a unit (1) 0.15
CUE_CREDIT = 0.15  # for a sentence holding the kind of fact asked for, in match_share
RELATED_WEIGHT = 0.4
TOPIC_WEIGHT = 0.3  # a word of the document's title or the clause's heading, in choosing among the clause's sentences
SECOND_SHARE = 0.5  # a second sentence is quoted beside the best one when it scores at least this share of it
# a single character ("评", "交") is found inside many words ("评审", "提交"): as a substring it tells little
SINGLE_CHAR_WEIGHT = 0.3

# what a question wants, and how a sentence that holds it looks: finer than "a number" (a sum of money is not a
# percentage, a deadline not a duration), so that among a paragraph's sentences full of numbers the one holding the
# kind asked for wins
MONEY = r"\d+(?:\.\d+)?\s*(?:万|千|百)?元|[一二三四五六七八九十百千万两]+元"
# laws and regulations write numbers in words: "六十日内", "一百八十三天", "十五个工作日", "三个月"
CN_NUMERAL = r"[一二三四五六七八九十百千零两]+"
CN_DURATION = rf"{CN_NUMERAL}个?(?:工作日|日|天|个月|周|年|小时)"
DAY_UNITS = r"工作日|日|天|个月|周|小时"  # a number of days or months, not of years ("一年以上")
# the kinds of fact that both CUES and STRICT_CUES know: how a question asks for it, how a text holds it
PHONE_ASKED, PHONE_HOLDS = r"电话|热线|联系方式|怎么联系|号码", r"\d{3,4}-\d{6,8}|\d{5,}|热线|电话"
# a technical standard or standardisation is no amount: "工程技术标准由谁制定"
# "哪几个局" asks which, "那几天" points at days: neither asks how many
AMOUNT_ASKED = (
    r"多少|(?<![哪那这])几[个家项条万元次%]|比例|(?<!技术)标准(?![化厂])|额度|金额|上限|最高|最多|最少|至少|多大|多长|多久"
    r"|(?<![那这])几(?:年|个月|天)"
)
AMOUNT_HOLDS = r"\d|[一二三四五六七八九十百千万]+[元%个年月天日倍项]|百分之|三分之|一倍"
# "钱从哪里来" asks for a source, not an address
PLACE_ASKED = r"在哪|(?<!从)哪里(?!来)|地址|地点|哪个医院|哪家医院|哪个地方|去哪|到哪(?:里|儿|去)"  # not 拿到哪类
PLACE_HOLDS = r"路\d*号|\d+号|楼|大厅|窗口|中心|医院|学校|小学|中学|幼儿园|社区|街道|服务站|地址|设在|位于"
# "标准怎么定", "按什么算": the question asks for the rule that sets a number, which a clause may state in words
ASKS_HOW_SET_RE = re.compile(
    r"怎么定|如何确定|怎么确定|怎么算|如何计算|怎么计算|按什么|依据什么|由谁定|谁来定|怎么核定"
)
CUES: tuple[tuple[re.Pattern[str], re.Pattern[str], float], ...] = tuple(
    (re.compile(asked), re.compile(holds), weight)
    for asked, holds, weight in (
        (PHONE_ASKED, PHONE_HOLDS, 3.0),
        (AMOUNT_ASKED, AMOUNT_HOLDS, 2.0),
        (r"多少钱|补多少|贴多少|报多少|给多少|发多少|领多少|多少元|金额|补贴多少|补助多少", MONEY, 2.0),
        (
            r"比例|几成|百分之|打几折|按多少",
            r"\d+(?:\.\d+)?%|百分之|[一二三四五六七八九十]分之[一二三四五六七八九十]|\d成",
            2.0,
        ),
        (r"最多|最高|上限|封顶|顶多|最长", r"最高|最多|上限|不超过|不得超过|封顶|最长", 1.5),
        (r"最少|至少|最低|起码|最短", r"最低|最少|至少|不低于|不少于|不得少于|起付|最短", 1.5),
        (
            r"什么时候|何时|哪天|几号|截止|哪一?年|几月|日期",
            r"\d{1,2}月|\d{1,2}日|\d{4}年|年底|年内|年初|月底|日前|之前|以前|前完成",
            2.0,
        ),
        (
            r"多久|多长时间|几天|几个月|几年|期限|时限|满几|要多长",
            rf"(?<![\d月])\d{{1,3}}\s*个?(?:工作日|日|天|个月|周|年)|{CN_DURATION}|日内|期限|时限|期满|满\d",  # not 2024年
            2.0,
        ),
        (PLACE_ASKED, PLACE_HOLDS, 2.0),
        (r"打到|发到|转到|存到|哪个账户|什么账户|账户|银行卡", r"账户|银行卡|社会保障卡|存折", 2.0),
        (r"材料|带什么|证件|提供什么|需要什么|要交(?:什么|哪些)|提交", r"材料|证|复印件|提供|提交|原件|表", 2.0),
        (r"谁|哪个部门|哪个单位|哪家|找哪|归哪|由哪", r"局|委|办|中心|部门|单位|机构|政府", 1.0),
        (
            r"条件|资格|哪些人|什么人|谁能|谁可以|符合|能不能|可不可以|能否|是否可以",
            r"符合|条件|的[^，。]{0,6}(?:人员|企业|劳动者)|对[^，。]{2,30}的|应当|可以|不得",
            1.0,
        ),
        (r"怎么办|如何|怎样|怎么|流程|程序|步骤", r"申请|办理|向|通过|提交|可以|应当", 1.0),
    )
)
RATIO_HOLDS = r"百分点|\d+(?:\.\d+)?\s*[%％]|百分之|[一二三四五六七八九十]分之[一二三四五六七八九十]|\d成|[一二三四五六七八九]成(?![立为效功])|∶|:\d"
# names asked for: "56个示范小城镇具体是哪些镇", "名单" — a clause that only counts them does not name them
NAMES_ASKED = (
    r"名单|(?:哪些|哪几个|哪几家)(?:镇|乡镇|乡|村|县|区|企业|公司|学校|医院|银行)|具体是哪(?:些|几个|几家)"
    r"|(?:镇|乡|村|县|企业|公司|学校|医院|银行)是哪(?:些|几个|几家)"
)
# a name, not a kind ("示范小城镇、特色小镇" name none)
NAMES_HOLDS = (
    r"[\u4e00-\u9fff]{2,8}(?:(?<![城小乡])镇|(?<![城乡])乡|(?<![农乡])村|县|区|公司|学校|医院|银行|中心)[、，,]"
    r"|名单|附件|名录"
)
# the kinds of fact a clause must hold to answer at all: a question for a phone number is not answered by a clause
# without one, whatever words they share (phone, number, date, place: coarser than CUES on purpose)
STRICT_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), re.compile(holds))
    for asked, holds in (
        (PHONE_ASKED, PHONE_HOLDS),
        (AMOUNT_ASKED, AMOUNT_HOLDS),
        (
            r"什么时候|何时|哪天|几号|截止|期限|时限|多久|之前|以前|哪一?年|年底|时间",
            rf"\d{{1,2}}月|\d{{1,2}}日|\d{{4}}年|{CN_DURATION}|年底|年内|工作日|个月|日内|日前|之前|以前|前完成|期限|时限"
            r"|小时|分钟",  # "多长时间": 1小时哺乳时间
        ),
        (PLACE_ASKED, PLACE_HOLDS),
        # an address: a clause saying in which office a body sits (设在市发展改革委) gives no street
        (r"地址|办公地点|在哪办公", r"[路街巷]\d+号|\d+号|大道|大厦|\d+楼|\d+室|地址[:：为是]"),
        # a sum of money: a clause with other numbers (years, counts, "8+X") does not give it
        (
            r"多少钱|多少元|多少块|(?:多少|几)(?:万|亿|千|百)元?"
            r"|多少[\u4e00-\u9fff]{0,2}(?:租金|费用|资金|经费|补贴|补助|津贴|奖金|奖励)"  # 多少专项资金
            r"|(?:花|花了|投入|投了|投资|拨了|拨付)多少",  # what was spent is a sum too
            rf"{MONEY}|万元|亿元|元|倍|工资|百分之|%",
        ),
        # a share: a clause with counts and years but no per cent does not give it
        (r"比例|几成|百分之几|百分比", RATIO_HOLDS),
        # a number of days or months: "要多少个工作日办完"
        (
            rf"(?:多少|(?<![那这])几)个?(?:{DAY_UNITS})",
            rf"(?<![\d月])\d{{1,3}}\s*个?(?:{DAY_UNITS})|{CN_NUMERAL}个?(?:{DAY_UNITS})|日内|即时|当场|当天|当日",
        ),
        (NAMES_ASKED, NAMES_HOLDS),
        # what one must meet or bring: a clause that names no condition, no material
        (
            r"(?:什么|哪些)(?:条件|资格|资质)|(?:条件|资质)(?:有|是)(?:什么|哪些)",
            r"条件|符合|具备|须|满足|年满|资格|资质|情形|应当|方可|可以申请",
        ),
        # how to apply: a clause that says nothing of applying, handling or submitting does not tell
        (
            r"流程|程序|步骤|(?:怎么|如何|怎样)(?:申请|申报|办理|申领|领取)",
            r"申请|办理|提交|受理|审核|审批|流程|程序|登记|领取|申领|报送|备案",
        ),
        (
            r"(?:什么|哪些)(?:材料|资料|证件|手续)|(?:材料|资料|证件)(?:有|是)(?:什么|哪些)|带什么|准备什么",
            r"材料|资料|证明|申请表|身份证|复印件|证件|执照|清单|手续",
        ),
    )
)


@dataclass(frozen=True, slots=True)
class Excerpt:
    """What to quote of a clause (one or two runs of its sentences, … between them), and whether text was cut before
    or after it."""

    text: str
    cut_before: bool = False
    cut_after: bool = False

    @property
    def shown(self) -> str:
        """The excerpt as quoted, with … where the clause goes on."""
        return ("…" if self.cut_before else "") + self.text + ("…" if self.cut_after else "")


def sentences(text: str) -> list[str]:
    """The sentences of a clause in order; every character kept (line breaks stand alone)."""
    return [s for s in SENTENCE_RE.findall(text) if s]


def _score(
    sentence: str,
    words: list[tuple[str, float]],
    cues: list[tuple[re.Pattern[str], float]],
    definition: str,
) -> float:
    """The share of the question's word weight the sentence holds, plus credit for each kind of fact asked for that
    it holds (a phone number counts more than "a unit"), and for defining the term asked about."""
    norm = normalize(sentence).lower()
    total = sum(weight for _, weight in words) or 1.0
    score = sum(weight for word, weight in words if word and word in norm) / total
    score += sum(CUE_SHARE * weight for holds, weight in cues if holds.search(norm))
    if definition and (norm.startswith(definition) or f"所称{definition}" in norm) and re.search(r"是指|是", norm):
        score += 1.0
    return score


def wanted_facts(question: str) -> tuple[re.Pattern[str], ...]:
    """How a text holds each kind of fact the question asks for (STRICT_CUES): none when it asks how such a figure
    is set, which the rule answers in words. Made once a question, for every clause it is checked against."""
    if ASKS_HOW_SET_RE.search(normalize(question)):
        return ()
    return _asked_kinds(STRICT_CUES, question)


# the kinds no other evidence makes up for: a clause naming no town does not say which towns, whatever it shares with
# the question; one without a number gives no phone number
DECISIVE_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), re.compile(holds)) for asked, holds in ((PHONE_ASKED, PHONE_HOLDS), (NAMES_ASKED, NAMES_HOLDS))
)


def decisive_facts(question: str) -> tuple[re.Pattern[str], ...]:
    """How a text holds each decisive kind of fact the question asks for (DECISIVE_CUES)."""
    return _asked_kinds(DECISIVE_CUES, question)


def _asked_kinds(
    cues: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...], question: str
) -> tuple[re.Pattern[str], ...]:
    """The holds-patterns of the cues whose asked-pattern the question matches."""
    norm_q = normalize(question)
    return tuple(holds for asked, holds in cues if asked.search(norm_q))


def holds_facts(wanted: tuple[re.Pattern[str], ...], text: str) -> bool:
    """True when the text holds every kind of fact wanted (wanted_facts)."""
    norm_t = normalize(text)
    return all(holds.search(norm_t) for holds in wanted)


def holds_facts_about(wanted: tuple[re.Pattern[str], ...], text: str, subjects: tuple[str, ...]) -> bool:
    """True when the sentences of the text that name one of the subjects hold every kind of fact wanted: a clause
    that names 高龄津贴 in one sentence and gives other allowances' sums in others does not say what 高龄津贴 pays.
    Where no sentence names one (none given, or only the heading does), the whole text is looked in."""
    about = [s for s in sentences(normalize(text)) if any(w in s.lower() for w in subjects)]
    return all(any(holds.search(s) for s in about) for holds in wanted) if about else holds_facts(wanted, text)


def wanted(question: str) -> list[tuple[re.Pattern[str], float]]:
    """The kinds of fact a question asks for, as patterns of the sentences that hold them."""
    norm = normalize(question)
    return [(holds, weight) for asked, holds, weight in CUES if asked.search(norm)]


def best_excerpt(
    text: str,
    question: str,
    words: list[tuple[str, float]],
    window: str = "",
    definition: str = "",
    limit: int = EXCERPT_CHARS,
    topic: str = "",
) -> Excerpt:
    """The sentences of `text` that best answer the question, about `limit` characters with their context.

    `words` are the question's words with weights (rarer words weigh more), `window` the part of the text that
    search matched, `definition` a term the question asks to define, `topic` what the whole text is about (its
    document's title and its heading)."""
    if len(text) <= WHOLE_CLAUSE_CHARS:
        return Excerpt(text)
    words = off_topic(words, topic)
    parts = sentences(text)
    if not parts:
        return Excerpt(text)
    scores = _scores(parts, words, wanted(question), definition, _window_span(text, window))
    ranked = sorted((i for i in range(len(parts)) if parts[i].strip()), key=lambda i: (-scores[i], i))
    runs = _with_context(parts, _chosen(parts, scores, ranked, limit), limit)
    return _excerpt_of(parts, runs)


def _scores(
    parts: list[str],
    words: list[tuple[str, float]],
    cues: list[tuple[re.Pattern[str], float]],
    definition: str,
    in_window: tuple[int, int] | None,
) -> list[float]:
    """Each part's score, with a little credit for lying in the window search matched."""
    scores, at = [], 0
    for part in parts:
        score = _score(part, words, cues, definition)
        if in_window and in_window[0] <= at < in_window[1]:
            score += WINDOW_CREDIT
        scores.append(score)
        at += len(part)
    return scores


def _chosen(parts: list[str], scores: list[float], ranked: list[int], limit: int) -> list[tuple[int, int]]:
    """The whole sentence holding the best part, and the one holding the second best when that one scores at least
    SECOND_SHARE of the best and both fit in `limit`: two sentences that answer beat one and what follows it (a
    guide's rule sits a few sentences from the detail a question also names)."""
    first = _sentence_of(parts, ranked[0])
    if _size(parts, first) > limit:  # a very long sentence: from the best part on
        first = (ranked[0], ranked[0] + 1)
    runs = [first]
    second = next((i for i in ranked[1:] if not first[0] <= i < first[1]), None)
    if second is not None and scores[second] >= SECOND_SHARE * scores[ranked[0]]:
        run = _sentence_of(parts, second)
        if _size(parts, first) + _size(parts, run) <= limit:
            runs.append(run)
    return sorted(runs)


def _with_context(parts: list[str], runs: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Each run extended by the sentences after it while the whole fits in `limit`; runs that meet become one."""
    total = sum(_size(parts, run) for run in runs)
    out: list[tuple[int, int]] = []
    for k, (lo, hi) in enumerate(runs):
        until = runs[k + 1][0] if k + 1 < len(runs) else len(parts)
        while hi < until and total + len(parts[hi]) <= limit:
            total += len(parts[hi])
            hi += 1
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _size(parts: list[str], run: tuple[int, int]) -> int:
    return sum(len(p) for p in parts[run[0] : run[1]])


def off_topic(words: list[tuple[str, float]], topic: str) -> list[tuple[str, float]]:
    """The words with those of the topic weighing less: in a guide titled 青禾市高龄津贴…, every sentence is about
    青禾 and 高龄津贴, so they do not tell which sentence answers "青禾90多岁的老人高龄津贴每月多少钱"."""
    norm = normalize(topic).lower()
    return [(word, weight * TOPIC_WEIGHT if norm and word in norm else weight) for word, weight in words]


def _window_span(text: str, window: str) -> tuple[int, int] | None:
    if not window or window == text:
        return None
    start = text.find(window)
    return (start, start + len(window)) if start >= 0 else None


def _ends_sentence(part: str) -> bool:
    return bool(re.search(r"[。！!？?\n][”’」』）)]?$", part))


def _sentence_of(parts: list[str], i: int) -> tuple[int, int]:
    """The whole sentence holding part `i` (from the 。 before it: a part may end at ；), as a range of parts."""
    lo, hi = i, i + 1
    while lo > 0 and not _ends_sentence(parts[lo - 1]):
        lo -= 1
    while hi < len(parts) and not _ends_sentence(parts[hi - 1]):
        hi += 1
    return lo, hi


def _excerpt_of(parts: list[str], runs: list[tuple[int, int]]) -> Excerpt:
    """The runs quoted in order, … where text between them is left out."""
    text = "…".join("".join(parts[lo:hi]).strip() for lo, hi in runs)
    before = any(p.strip() for p in parts[: runs[0][0]])
    after = any(p.strip() for p in parts[runs[-1][1] :])
    return Excerpt(text, cut_before=before, cut_after=after)


def match_share(text: str, question: str, words: list[tuple[str, float]]) -> float:
    """How well the best sentence of `text` matches the question, 0..1 (and a little more for holding the kind of
    fact it asks for): the weight of the question's words it holds, of all their weight."""
    total = sum(weight for _, weight in words)
    if not total:
        return 0.0
    cues = wanted(question)
    best = 0.0
    for sentence in sentences(text):
        norm = normalize(sentence).lower()
        share = sum(weight for word, weight in words if word and word in norm) / total
        if cues and any(holds.search(norm) for holds, _ in cues):
            share += CUE_CREDIT
        best = max(best, share)
    return best


def weighted_words(
    words: Iterable[str], related: Iterable[str], idf: Callable[[str], float]
) -> list[tuple[str, float]]:
    """The question's words weighed by rarity, related words by less."""
    own = [(w.lower(), _substring_weight(w) * idf(w)) for w in dict.fromkeys(words)]
    return own + [
        (w.lower(), RELATED_WEIGHT * _substring_weight(w) * idf(w))
        for w in dict.fromkeys(related)
        if w not in dict(own)
    ]


def _substring_weight(word: str) -> float:
    return SINGLE_CHAR_WEIGHT if len(word) == 1 else 1.0

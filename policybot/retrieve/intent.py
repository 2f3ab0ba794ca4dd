"""Question understanding by rules: what is asked (intent) and about what (topic, clause path, 文号)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import zhconv

from policybot.document import DOC_NUMBER_RE, cn_to_int, int_to_cn, normalize

WHO_LEADS = "who_leads"
SUPPORT = "support"
LOOKUP = "lookup"
FACT = "fact"
OTHER = "other"
DUTIES = "duties"  # what a unit is charged with: "市财政局牵头哪些工作？"
INTENTS = (WHO_LEADS, SUPPORT, LOOKUP, FACT, OTHER, DUTIES)

WHO_RE = re.compile(
    r"谁牵头|谁来?(负责|抓|管|主抓|落实)|牵头(单位|部门|的是)|责任(单位|部门)|负责(单位|部门)|主管部门|"
    r"由哪(个|些|一|几个)?(家)?(单位|部门|局|个)|哪(个|些|一|几个|几家)?(家)?(单位|部门|局)(牵头|负责|管|来|主抓)|找哪(个|些|家)?|归哪(个|些)?|"
    r"对接(哪|什么)部门|联系(哪|什么)(个)?部门|谁管|哪个部门"
)
FACT_RE = re.compile(
    r"什么是|是什么意思|指什么|定义|含义|多少|几个|几家|几条|比例|百分点|目标|什么时候|何时|哪一?年|期限|时限|截止|到\d{4}年|年底|"
    r"依据|根据哪|上位|哪个文件|省级文件|哪一?天|日期|发文时间|印发时间|谁印发|发文机关|发文单位|还有效|是否有效|有效期|失效|文号|哪些地方|发给|"
    r"是什么$|是啥|区别|哪些类型|啥时候|设在哪|什么关系|同意了吗|由谁|啥样|什么样"
)
SUPPORT_RE = re.compile(
    r"支持|优惠|扶持|享受|补贴|补助|奖励|奖补|资金|贷款|融资|用地|土地|地块|人才|税|政策|措施|帮助|好处|惠企|减免|倾斜|鼓励|"
    r"钱|怎么办|能不能|能否|可不可以|有没有|通道|帮扶|简化"
)
LOOKUP_WORD_RE = re.compile(
    r"(哪条|哪一条|在哪里提|在哪提|哪部分|那条|这条|那一条|一条|条款|那部分|部分|章节|原文|全文|内容|讲了什么|讲什么|写了什么|说了什么|怎么写|怎么说|规定了什么)"
)
FOLLOW_UP_RE = re.compile(r"^(那|那么|还有|再问|另外|那如果)|呢[？?]?$")
DEICTIC_RE = re.compile(r"(这条|该条|这项|该项|这一条|上一条|上面|刚才|前面|它|这个工作|这项工作|此项|这方面)")
PATH_RE = re.compile(
    r"([一二三四五六七八九十]{1,3})\s*[、.．]?\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）](?:\s*(\d{1,2})\s*[.．])?"
)
PART_RE = re.compile(
    r"第([一二三四五六七八九十\d]{1,3})(?:部分|大项|项|章)(?:的?第([一二三四五六七八九十\d]{1,3})(?:条|小项|点|款|项))?"
)
# a task table's row, as the parser cites it ("附件1 第3项"): read before PART_RE takes "第3项" for part 三
TABLE_ROW_RE = re.compile(r"(附件[0-9一二三四五六七八九十]{0,3})(?:的|中)?第([0-9一二三四五六七八九十]{1,3})项")
TOP_PATH_RE = re.compile(r"(?:^|[^（(\w])([一二三四五六七八九十]{1,3})、")
ARTICLE_RE = re.compile(r"第([零一二三四五六七八九十百千\d]{1,6})条")
FILLER_RE = re.compile(
    r"(请问|请|一下|那条|这条|那一条|条款|的内容|内容|是什么|是啥|讲了什么|讲什么|说了什么|写了什么|规定了什么|有哪些|有什么|怎么写的?|怎么说的?|查|看看|关于|呢|吗|[？?。!！，,、\s])"
)


UNIT_MARK = "\ue000"  # stands for the unit a question names, so the patterns below need not list units
DUTY_RE = re.compile(
    rf"{UNIT_MARK}(?:在[^，。？?]{{0,24}})?(?:主要|具体|都|还|要|需要)?(牵头|负责|承担|参与|配合)(?:的|了)?(?:哪些|什么|哪几|几|多少)"
    rf"|{UNIT_MARK}(?:有|的|要做|要干)(?:哪些|什么|哪几)(?:工作|任务|职责|事项|事)"
    rf"|{UNIT_MARK}(?:要|需要|应|应该)?(?:做|干|管)(?:哪些|什么)"
    rf"|(?:哪些|什么)(?:工作|任务|事项)(?:是)?由{UNIT_MARK}(牵头|负责|承担)"
    rf"|{UNIT_MARK}(?:是|作为)(?:哪些|什么)(?:工作|任务|事项)?的?(牵头|责任)单位"
)


DUTY_WORDS_RE = re.compile(
    r"(牵头|负责|承担|参与|配合|做|干|管|单位|工作|任务|职责|事项).*?(哪些|什么|哪几|几|多少)|(哪些|什么)(工作|任务|事项)"
)


def in_simplified(text: str, words: Callable[[str], Iterable[str]], corpus_form: Callable[[str], bool]) -> str:
    """The question with traditional characters written as simplified, word by word: "由哪個單位牽頭" is asked as
    "由哪个单位牵头" (the question rules and most documents are simplified; users in Hong Kong, Macao and Taiwan
    write traditional). A word stays as written where only that form is in the documents, as in a document
    itself written in traditional characters. Characters only: "列印" stays "列印"."""
    if zhconv.convert(text, "zh-hans") == text:
        return text
    kept = []
    for word in words(text):
        simple = zhconv.convert(word, "zh-hans")
        kept.append(word if simple != word and corpus_form(word) and not corpus_form(simple) else simple)
    return "".join(kept)


def might_ask_duties(text: str) -> bool:
    """False for a question that cannot be asking what a unit is charged with (spares looking for unit names)."""
    return bool(DUTY_WORDS_RE.search(text))


def duty_asked(text: str, unit: str) -> str:
    """For a question about what a unit is charged with, the role asked about: "lead" ("市财政局牵头哪些工作？")
    or "any" ("市财政局负责什么？"); "" when the question asks something else about the unit."""
    m = DUTY_RE.search(normalize(text).replace(unit, UNIT_MARK))
    if m is None:
        return ""
    return "lead" if "牵头" in m.groups() else "any"


# what a question about a document as a whole says besides the document's name
DOCUMENT_WORDS_RE = re.compile(
    r"(帮我|查一下|查|看看|打开|给我|这个|该|本|的|是|什么|哪个|哪一个|哪些|多少|哪天|哪年|文件|全文|原文|内容|讲了什么|"
    r"讲什么|说了什么|写了什么|文号|标题|名称|发文机关|发文单位|印发|发布|成文|日期|时间|上位|依据|还有效|有效|效力|吗|呢|[？?。!！，,、\s])"
)


def is_about_document(rest: str) -> bool:
    """True when what a question says besides a document's name asks for the document itself, not a clause of it
    ("…的全文", "…是什么文件", "…的文号是多少")."""
    return not DOCUMENT_WORDS_RE.sub("", rest)


def name_removed(text: str, name: str) -> str:
    """The text (normalised) with a document's name and its 《》 taken out."""
    return re.sub(r"《\s*》", "", normalize(text).replace(name, "")).strip() if name else text


def without_name(text: str, name: str) -> str:
    """The text without a document's name (文号 or title) in it, or the text itself if nothing else is left."""
    rest = name_removed(text, name)
    return rest if name and FILLER_RE.sub("", rest) else text


@dataclass(frozen=True, slots=True)
class Question:
    """A question as understood: intent, clause path or 文号 it names, and whether it leans on the last turn."""

    text: str
    intent: str
    path: str = ""
    doc_number: str = ""
    article: str = ""
    deictic: bool = False
    follow_up: bool = False
    doc_name: str = ""  # the 文号 or title by which the question names its document, as written (normalised)

    @property
    def search_text(self) -> str:
        """What to search for: the question without the name of the document it is scoped to."""
        return without_name(self.text, self.doc_name)

    @property
    def topic(self) -> str:
        """The question with filler words (and the document's name) removed: what it is about."""
        return FILLER_RE.sub("", self.search_text)


DEFINITION_ASKED_RE = re.compile(
    r"^(?:请问)?(?:什么(?:是|叫)|何为|何谓)[“\"]?(.{2,20}?)[”\"]?[？?。]*$"
    r"|^(?:请问)?[“\"]?(.{2,20}?)[”\"]?(?:是什么意思|是什么|指什么|是指什么|指的是什么|的定义|的含义|的意思|怎么定义|怎么理解)(?:是什么)?(?:呢|啊)?[？?。]*$"
    # who or what counts as the term: "法律上多大年纪算老年人？", "什么样的人才算农民工" (a law's "本法所称…是指")
    r"|^.{0,10}?(?:多大年纪|多大年龄|多少岁|几岁|什么样的人|什么人|哪些人)(?:才|就)?(?:算是|算|属于)"
    r"[“\"]?([^，,。；;？?]{2,12}?)[”\"]?(?:呢|啊|吗)?[？?。]*$"
)


def defined_term(text: str) -> str:
    """The term a question asks to define ("什么是劳务派遣？" → 劳务派遣), or ""."""
    m = DEFINITION_ASKED_RE.match(normalize(text))
    return next((g for g in m.groups() if g), "") if m else ""


def clause_path_in(text: str) -> str:
    """A clause path the question names, as the parser writes paths: '三（二）', '四', '三（二）1.', '附件 第3项'."""
    m = TABLE_ROW_RE.search(normalize(text))
    if m:
        return f"{m.group(1)} 第{cn_to_int(m.group(2))}项"
    m = PATH_RE.search(text)
    if m:
        path = f"{m.group(1)}（{m.group(2)}）"
        return path + (f"{m.group(3)}." if m.group(3) else "")
    m = PART_RE.search(text)
    if m:
        top = int_to_cn(cn_to_int(m.group(1)))
        return top + (f"（{int_to_cn(cn_to_int(m.group(2)))}）" if m.group(2) else "")
    m = TOP_PATH_RE.search(text)
    if m and len(normalize(text)) <= 12:
        return m.group(1)
    return ""


def understand(text: str) -> Question:
    """Classify a question by rules (no model): who leads, support, lookup, fact or other."""
    norm = normalize(text)
    m = DOC_NUMBER_RE.search(norm)
    doc_number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" if m else ""
    path = clause_path_in(norm)
    article_m = ARTICLE_RE.search(norm)
    article = article_m.group(0) if article_m and not path else ""
    deictic = bool(DEICTIC_RE.search(norm))
    follow_up = bool(FOLLOW_UP_RE.search(norm)) and len(norm) <= 16
    if WHO_RE.search(norm):
        intent = WHO_LEADS
    elif (
        path
        or article
        or (doc_number and len(FILLER_RE.sub("", norm.replace(m.group(0), ""))) <= 6 if m else False)
        or LOOKUP_WORD_RE.search(norm)
        and re.search(r"(哪条|哪一条|在哪里?提|那条|这条|那一条|条款|原文|全文|部分)", norm)
    ):
        intent = LOOKUP
    elif FACT_RE.search(norm):
        intent = FACT
    elif SUPPORT_RE.search(norm):
        intent = SUPPORT
    else:
        intent = OTHER
    return Question(
        text=text,
        intent=intent,
        path=path,
        doc_number=doc_number,
        article=article,
        deictic=deictic,
        follow_up=follow_up,
    )

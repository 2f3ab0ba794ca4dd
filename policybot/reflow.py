"""Scraped text → the lines a parser reads: paragraphs recovered, site chrome taken out, the title found.

Policy texts collected from government and news sites rarely arrive as their issuer wrote them: the scraper turned
every paragraph break into a space or removed it, the page's furniture (来源、发布时间、字号 大 中 小、分享到、
责任编辑、上一篇…) sits around the body, and the title may be split over two lines, run into the first sentence or
be only in the file name. Here lines are put back where the text itself says a paragraph or a numbered clause
begins, and chrome is cut out span by span, so the parser meets the text as it was written. Only whitespace
becomes a line break and only chrome is removed (it is kept, for the record): no character of the body is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policybot.units import UNITS_START_RE, match_bracket

# the end of a sentence or clause: a break after it is a paragraph break
SENTENCE_END = "。！？；!?;"
# where a numbered part, clause, article or chapter starts (not "第十九条规定" or "第十九条的": references)
MARKER = (
    r"(?:[一二三四五六七八九十]{1,3}[、．](?!\d)"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|第[一二三四五六七八九十百千零〇\d]{1,6}[条章节编](?![的之所]|规定|中|第)"
    r"|#{1,6}\s)"
)
MARKER_RE = re.compile(MARKER)
_NEXT_ITEM_RE = re.compile(rf"{MARKER}|——")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’《》…—"
_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
# whitespace that was a paragraph break: after a sentence end, between two Chinese characters, before a marker
# or a date, after a 文号
_WS_BREAK_RE = re.compile(
    rf"(?<=[{SENTENCE_END}”’」』：:])\s+|(?<=[{_CJK}])\s+(?=[{_CJK}])|\s+(?={MARKER}|——)|(?<=[{_CJK}])\s+(?={_DATE})"
    rf"|(?<=号)\s+(?=\S)"
)
# a marker right after a sentence end or a colon, with no space: "…如下：一、总体要求", "…的原则。——坚持"
_JOINED_MARKER_RE = re.compile(rf"(?<=[{SENTENCE_END}：:])(?={MARKER}|——)")
# a signature run together: "…办公室2020年7月13日遵义市…"
_JOINED_SIGNATURE_RE = re.compile(rf"[室厅府局委会院部]({_DATE})(?=[\u4e00-\u9fff])?")
_JOINED_DOC_NUMBER_RE = re.compile(r"[〔\[［(（【]\d{4}[〕\]］)）】]\d{1,5}号(?=\S)")
# a chapter run into the text before it: "…会议修正第一章总则第一条为了…"
_JOINED_CHAPTER_RE = re.compile(
    r"第[一二三四五六七八九十百零〇\d]{1,4}[章编](?=[^。；，,]{1,24}?第[一二三四五六七八九十百零〇\d]{1,6}条)"
)
# a law's title run into its first chapter or article: "…管理办法第一条 为…"
_TITLE_THEN_ARTICLE_RE = re.compile(r"(?<!本)(?:法|条例|办法|规定|细则|规则)(?=第一[条章编])")
_BARE_MARKER_RE = re.compile(rf"(?:#{{1,6}}\s*)?(?:{MARKER})")
SIGNATURE_MAX_CHARS = 30
_BANNER_END_RE = re.compile(r"(?:现行有效|部分失效|已失效|已废止|已修改|尚未生效)(?=[\u4e00-\u9fff])")
BANNER_MAX_CHARS = 300
BRACKET_PAIRS = {"《": "》", "（": "）", "(": ")", "“": "”", "〔": "〕", "[": "]", "【": "】"}
BRACKET_SPAN_CHARS = 200  # an open bracket further back than this was never closed: it holds no break back
RUN_TOGETHER_MIN_CHARS = 300
RUN_TOGETHER_MIN_BREAKS = 3
FEW_LINES = 2  # a text of this many lines or fewer is a page whose line breaks the scraper removed
FEW_LINES_MIN_CHARS = 30
SHORT_HEADING_CHARS = 24  # "一、总体要求（一）指导思想…": a heading this short runs into the next marker

_LABEL = r"\s*[:：]\s*"
_STOP = r"(?=\s|$|来源|发布|时间|日期|作者|编辑|字号|字体|浏览|阅读|点击|分享|打印|【)"
CHROME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "breadcrumb",
            r"(?:当前位置|您的位置|您当前的位置|您现在的位置|所在位置)[:：]?\s*"
            r"(?:[^\s>＞»›]{1,12}\s*[>＞»›]{1,2}\s*)*[^\s>＞»›]{1,12}(?=\s|$)",
        ),
        (
            "breadcrumb",
            r"(?:网站)?首页\s*[>＞»›]{1,2}\s*(?:[^\s>＞»›]{1,12}\s*[>＞»›]{1,2}\s*)*[^\s>＞»›]{0,12}(?=\s|$)",
        ),
        # a site's name and menu, "XX市人民政府 | 政务服务 | 政务公开 |…" (a table row starts otherwise)
        (
            "site",
            r"[^\s|｜]{1,20}(?:人民政府|政府|网站|政府网|速查网|信息网|数据库)(?:\s*[|｜]\s*[^\s|｜]{2,8}){2,}(?=\s|$)",
        ),
        ("site", r"[^\s]{2,20}?\s*欢迎您[！!]?"),
        ("site", r"^[^\s，,。；]{2,20}(?:门户网站|政府网|速查网|数据库|信息网|网站)(?=\s|$)"),
        (
            "date",
            rf"(?:发布时间|发布日期|发文日期|成文日期|更新时间|印发日期|时间){_LABEL}\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?(?:\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?",
        ),
        ("source", rf"(?:信息来源|文章来源|稿件来源|稿源|来源){_LABEL}[^\s]{{1,30}}?{_STOP}"),
        ("byline", rf"(?:责任编辑|编辑|责编|作者|审核|校对|核稿|签发){_LABEL}[^\s]{{1,12}}?{_STOP}"),
        ("font", r"[【\[]?\s*(?:字号|字体)[:：]?\s*(?:[【\[]?\s*[大中小]\s*[】\]]?\s*){3}[】\]]?"),
        ("count", r"(?:浏览次数|阅读次数|点击数|点击量|点击次数|访问量|浏览量|阅读量|访问次数)[:：]?\s*\d+\s*次?"),
        ("share", r"分享(?:到)?[:：]?(?:\s*(?:微信|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|朋友圈|豆瓣|人人网|更多))*"),
        ("neighbours", r"(?:上一篇|下一篇|上一条|下一条)[:：]\s*\S.*?(?=\s*(?:上一篇|下一篇|上一条|下一条)|$)"),
        ("buttons", r"【\s*(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部|我要纠错|纠错|保存|加入收藏)\s*】"),
        ("buttons", r"(?:(?<=\s)|^)(?:打印本页|打印|关闭窗口|关闭|收藏本页|返回顶部|我要纠错|保存本页)(?=\s|$)"),
        ("scan", r"扫一扫[^\s。]{0,16}"),
        ("footer", r"(?:版权所有|主办单位|承办单位|网站标识码|ICP备|公网安备|技术支持)[:：]?\s*[^\s]*"),
        ("footer", r"(?:(?<=\s)|^)(?:联系我们|网站地图|无障碍浏览|无障碍|长者模式|适老化|English)(?=\s|$)"),
    )
)
ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# what is left of a line once its chrome is cut: bits like "中 小" or "QQ" that are no text of the document
_FRAGMENT_RE = re.compile(r"^[\s大中小|｜/>＞»›:：【】\[\]]*$|^(?:微信|微博|QQ|QQ空间|朋友圈)$")
_DATE_IN_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")

# how a title ends, and what starts a document's body right after it
TITLE_END = (
    r"(?:通知|通告|公告|方案|意见|办法|规定|细则|决定|规划|纲要|条例|措施|批复|指南|指引|解读|答记者问|问答|实录|"
    r"报告|要点|计划|函|法|令|章程|规则|标准|清单|目录)"
)
TITLE_END_RE = re.compile(TITLE_END + r"[)）]?$")
_TITLE_THEN_BODY_RE = re.compile(
    rf"^(.{{6,80}}?{TITLE_END}[)）]?)(?![的和与及、暨])"
    rf"(?=[^\s。；;]{{0,40}}[:：]|为|根据|按照|近日|日前|记者|\d{{4}}年|[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[条章]"
    r"|[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}|\1)"  # a 文号, or the title again (sites repeat the title line)
)
TITLE_MAX_CHARS = 120
SHORT_TITLE_CHARS = 40  # a one-line text this short is its own title
TITLE_CONTINUES_RE = re.compile(r"(关于|和|与|及|的|、|暨|对|《)$")


@dataclass(frozen=True, slots=True)
class Recovered:
    """The lines of a text as the parser should read them, what was taken out, and what the page told us."""

    lines: tuple[str, ...]
    chrome: tuple[str, ...] = ()
    site_date: str = ""
    site_source: str = ""
    notes: tuple[str, ...] = ()


def _at_boundary(line: str, start: int) -> bool:
    """True when chrome may start here: at the line's start, after a space or a separator, or right after a title
    ("…的通知来源：市政府"); "资金来源：" or "申报时间：" inside a sentence is the document's own text."""
    if start == 0 or line[start - 1].isspace() or line[start - 1] in "|｜】]>＞»›":
        return True
    return bool(TITLE_END_RE.search(line[max(0, start - 12) : start]))


def strip_chrome(line: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The pieces of the line around its site chrome (chrome separates lines of a page, so each piece is a line of
    its own), and each chrome span taken out as (kind, text)."""
    removed: list[tuple[str, str]] = []
    pieces = [line]
    for kind, pattern in CHROME_PATTERNS:
        cut: list[str] = []
        for piece in pieces:
            last = 0
            for m in pattern.finditer(piece):
                lead = len(m.group(0)) - len(m.group(0).lstrip())  # where the chrome itself starts
                if m.group(0).strip() and _at_boundary(piece, m.start() + lead):
                    removed.append((kind, m.group(0).strip()))
                    cut.append(piece[last : m.start()])
                    last = m.end()
            cut.append(piece[last:])
        pieces = [p.strip() for p in cut if p.strip()]
    return pieces, removed


def _open_brackets(line: str) -> list[bool]:
    """For each position, True when it lies inside a bracket opened within BRACKET_SPAN_CHARS before it: a paragraph
    never ends inside 《…》 or （…）, whatever spaces the scraper left there ("根据《 遵义市…宣布 失效…》")."""
    inside = [False] * (len(line) + 1)
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(line):
        while stack and i - stack[-1][1] > BRACKET_SPAN_CHARS:
            stack.pop(0)
        if ch in BRACKET_PAIRS:
            stack.append((BRACKET_PAIRS[ch], i))
        elif stack and ch == stack[-1][0]:
            stack.pop()
        inside[i + 1] = bool(stack)
    return inside


def _breaks(line: str) -> list[tuple[int, int]]:
    """The spans of `line` (whitespace, or an empty span where a clause, signature or 文号 ends) that are paragraph
    breaks."""
    spans = [m.span() for m in _WS_BREAK_RE.finditer(line)]
    spans += [m.span() for m in _JOINED_MARKER_RE.finditer(line)]
    for m in _JOINED_SIGNATURE_RE.finditer(line):
        spans.append((m.start(1), m.start(1)))
        # the signing office starts after the sentence before it: "…贯彻落实。遵义市人民政府办公室2020年7月13日"
        before = line[max(0, m.start(1) - SIGNATURE_MAX_CHARS) : m.start(1)]
        end = max(before.rfind(c) for c in SENTENCE_END)
        if end >= 0:
            at = m.start(1) - len(before) + end + 1
            spans.append((at, at))
        if m.end() < len(line) and "\u4e00" <= line[m.end()] <= "\u9fff":
            spans.append((m.end(), m.end()))
    spans += [(m.end(), m.end()) for m in _JOINED_DOC_NUMBER_RE.finditer(line)]
    banner = line.find("提示")
    if banner >= 0:  # a site's banner run into the text: "…规定,现行有效各县、自治县…"
        ends = _BANNER_END_RE.finditer(line, banner, banner + BANNER_MAX_CHARS)
        spans += [(m.end(), m.end()) for m in ends]
    spans += [(m.start(), m.start()) for m in _JOINED_CHAPTER_RE.finditer(line)]
    spans += [(m.end(), m.end()) for m in _TITLE_THEN_ARTICLE_RE.finditer(line)]
    for m in UNITS_START_RE.finditer(line):  # a task clause ends with its units: "…(牵头单位:…)(二)着力强化…"
        end = match_bracket(line, m.start())
        if 0 < end < len(line) - 1:
            spans.append((end + 1, end + 1))
    inside = _open_brackets(line)
    kept: list[tuple[int, int]] = []
    last = 0
    for start, end in sorted(set(spans)):
        # the space in "第一条 为了…" or "第一章 总则" belongs to its marker; no break inside brackets
        if inside[start] or start < last or _BARE_MARKER_RE.fullmatch(line[last:start].strip()):
            continue
        kept.append((start, end))
        last = end
    return kept


def is_run_together(line: str, few_lines: bool = False) -> bool:
    """True for a line that holds several paragraphs or clauses (a scraper removed their line breaks). In a text of
    one or two lines, any line that holds a break is: the whole document was put on one line."""
    if few_lines:
        return len(line) >= FEW_LINES_MIN_CHARS and bool(_breaks(line))
    return len(line) >= RUN_TOGETHER_MIN_CHARS and len(_breaks(line)) >= RUN_TOGETHER_MIN_BREAKS


def split_run_together(line: str) -> list[str]:
    """A run-together line cut into its paragraphs and numbered clauses (only whitespace is dropped)."""
    pieces, last = [], 0
    for start, end in _breaks(line):
        pieces.append(line[last:start])
        last = end
    pieces.append(line[last:])
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if piece:
            out += _split_short_heading(piece)
    return out


def _split_short_heading(piece: str) -> list[str]:
    """ "一、总体要求（一）指导思想…" → "一、总体要求", "（一）指导思想…": a short heading ran into the marker of the
    first clause under it (a part's section, a chapter's article, a section's item or "——")."""
    out = []
    while (m := MARKER_RE.match(piece)) is not None:
        below = _BELOW.get(_marker_kind(m.group(0)))
        nxt = below.search(piece, m.end()) if below else None
        if nxt is None or nxt.start() - m.end() > SHORT_HEADING_CHARS:
            break
        heading = piece[: nxt.start()]
        if re.search(rf"[{SENTENCE_END}，,]", heading[m.end() :]):
            break
        out.append(heading.strip())
        piece = piece[nxt.start() :]
    return [*out, piece.strip()]


def _marker_kind(marker: str) -> str:
    if marker.startswith("第"):
        return "article" if marker.endswith("条") else "chapter"
    if marker[0] in "（(":
        return "section"
    return "heading" if marker.startswith("#") else "part"


_SECTION = r"[（(][一二三四五六七八九十]{1,3}[）)]"
_ARTICLE = r"第[一二三四五六七八九十百千零〇\d]{1,6}[条节]"
_BELOW = {
    "part": re.compile(rf"{_SECTION}|——"),
    "chapter": re.compile(_ARTICLE),
    "heading": re.compile(_ARTICLE),
    "section": re.compile(r"——|\d{1,2}[.．、](?!\d)"),
}


def _site_date(spans: list[tuple[str, str]]) -> str:
    for kind, text in spans:
        m = _DATE_IN_RE.search(text)
        if kind == "date" and m:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return ""


def _site_source(spans: list[tuple[str, str]]) -> str:
    for kind, text in spans:
        if kind == "source":
            return re.split(r"[:：]", text, maxsplit=1)[-1].strip()
    return ""


def _is_fragment(line: str) -> bool:
    return bool(_FRAGMENT_RE.match(line))


def title_from_name(source: str) -> str:
    """A title from a file name, when the name is Chinese words rather than a code ("关于….txt" yes, "a1.txt" no)."""
    stem = source.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[(（]\d{4}[-_.]\d{1,2}[-_.]\d{1,2}[)）]$", "", stem)  # "劳动法(2018-12-29)": a version date
    stem = re.sub(r"[_\-\s]+", " ", stem).strip()
    return stem if len(re.findall(r"[\u4e00-\u9fff]", stem)) >= 4 else ""


_NOT_TITLE_RE = re.compile(
    r"^[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d{1,5}\s*号$|^\d{4}\s*[-/.年]|提示|^(?:索引号|发布机构|主题分类)"
)
_ORGANISATION_RE = re.compile(r"[\u4e00-\u9fff]{2,16}(?:人民政府|政府|办公室|办公厅|委员会|局|厅|委)")
NOTICE_TITLE_RE = re.compile(r"关于(?:印发|转发|下发)《?(.+?)》?的通知$")
TITLE_SEARCH_LINES = 4
_ADDRESSEES_THEN_BODY_RE = re.compile(r"^((?:各|全市|全县|全省|市|县|区|省)[^。；;:：《]{1,80}?[:：])(\S.*)$")


def _looks_like_title(line: str) -> bool:
    line = re.sub(r"^#{1,6}\s+", "", line)  # a Markdown heading
    return (
        not _ORGANISATION_RE.fullmatch(line)  # a site's or an office's name ("云溪市人民政府") heads no document
        and len(line) <= TITLE_MAX_CHARS
        and not re.search(r"[。；;！!？?]", line[:-1])
        and not MARKER_RE.match(line)
        and not _NOT_TITLE_RE.search(line)
    )


def _split_title(lines: list[str], source: str) -> tuple[list[str], list[str]]:
    """The lines with the title line first: as it is, joined from two lines, moved up from below a 文号 or date
    line, split off the first sentence, or taken from the file name."""
    first = lines[0]
    if (
        len(lines) > 1
        and _looks_like_title(first)
        and _looks_like_title(lines[1])
        and len(first) + len(lines[1]) <= TITLE_MAX_CHARS
        and not TITLE_END_RE.search(first)
        and (TITLE_CONTINUES_RE.search(first) or TITLE_END_RE.search(lines[1]))
    ):
        return [first + lines[1], *lines[2:]], ["标题分两行，已合并"]
    m = _TITLE_THEN_BODY_RE.match(first)
    if m and len(m.group(1)) < len(first) and not re.search(r"[。；;]", m.group(1)):
        rest = first[m.end() :].strip()
        if rest.startswith(m.group(1)):  # the title repeated, as some sites print it
            rest = rest[len(m.group(1)) :].strip()
        return [m.group(1), *([rest] if rest else []), *lines[1:]], ["标题与正文相连，已分开"]
    if _looks_like_title(first) and (TITLE_END_RE.search(first) or first.startswith("#")):
        return lines, []
    for i in range(1, min(len(lines), TITLE_SEARCH_LINES)):
        if _looks_like_title(lines[i]) and TITLE_END_RE.search(lines[i]):
            # a title below a line that is none ("云溪市人民政府", a 文号, a date): the title goes first
            return [lines[i], *lines[:i], *lines[i + 1 :]], []
    if _looks_like_title(first) and (len(lines) > 1 or len(first) <= SHORT_TITLE_CHARS):
        return lines, []
    named = title_from_name(source)
    if named:
        return [named, *lines], ["未找到标题行，标题取自文件名"]
    return ["（无标题）", *lines], ["未找到标题"]


def _split_wrapped_title(lines: list[str]) -> list[str]:
    """A notice that wraps a plan ("关于印发《X》的通知") starts the plan with the line "X": where X ran into the plan's
    first sentence ("X为深入贯彻…"), it is put on a line of its own."""
    m = NOTICE_TITLE_RE.search(lines[0]) if lines else None
    if m is None:
        return lines
    wrapped = m.group(1).strip("《》")
    out = []
    for line in lines:
        if line.startswith(wrapped) and len(line) > len(wrapped) and out:
            out += [wrapped, line[len(wrapped) :].strip()]
        else:
            out.append(line)
    return out


def recover_title(lines: list[str], source: str) -> tuple[list[str], list[str]]:
    """The lines with a title line first, and a note on how it was found when it was not simply the first line."""
    if not lines:
        return lines, []
    lines, notes = _split_title(lines, source)
    return _split_wrapped_title(_split_addressees(lines)), notes


def _split_addressees(lines: list[str]) -> list[str]:
    """ "各乡镇人民政府，县直各部门：为做好…" → the addressees on a line of their own, as the parser expects them."""
    for i in range(1, min(len(lines), TITLE_SEARCH_LINES)):
        m = _ADDRESSEES_THEN_BODY_RE.match(lines[i])
        if m:
            return [*lines[:i], m.group(1), m.group(2).strip(), *lines[i + 1 :]]
    return lines


def recover(text: str, source: str = "") -> Recovered:
    """Lines of a (possibly scraped) text ready to parse, with the chrome taken out and notes on what was done."""
    text = ZERO_WIDTH_RE.sub("", text)  # invisible formatting a page leaves behind ("\u200b第一章"), no text
    raw = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines: list[str] = []
    spans: list[tuple[str, str]] = []
    joined = 0
    raw = [ln for ln in raw if ln]
    few_lines = len(raw) <= FEW_LINES
    for raw_line in raw:
        pieces, removed = strip_chrome(raw_line)
        spans += removed
        for line in pieces:
            if removed and _is_fragment(line):
                continue
            if is_run_together(line, few_lines):
                joined += 1
                lines += [p for p in split_run_together(line) if not _is_fragment(p)]
            else:
                lines.append(line)
    notes = []
    if joined:
        notes.append(f"原文有 {joined} 行连在一起，已按句末标点、空格和条款编号分段")
    if spans:
        notes.append(f"已去除网页栏目文字 {len(spans)} 处（来源、发布时间、分享、打印等）")
    lines, title_notes = recover_title(lines, source)
    return Recovered(
        lines=tuple(lines),
        chrome=tuple(text for _, text in spans),
        site_date=_site_date(spans),
        site_source=_site_source(spans),
        notes=tuple(notes + title_notes),
    )

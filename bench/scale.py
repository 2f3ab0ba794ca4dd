"""PolicyBot at 1×, 10×, 100× and 1,000× documents: indexing, updates, queries, memory and app start, beside the
naive peer, in one run; prints the tables and writes them into bench/README.md.

python bench/scale.py                                   # sizes 1,10,100,1000 documents (≈ 100 → 100 k chunks)
python bench/scale.py --sizes 1,10 --questions 50       # a quick look
python bench/scale.py --from-json bench/out/scale.json  # print (and write) the tables of an earlier run
python bench/scale.py --steps build                     # the hours of embedding first; then on a quiet machine:
python bench/scale.py --steps update,query,peer,start   # updates and the query side on the indexes built

Each generated document has about 100 chunks, so 1,000 documents are about 100 k chunks. Every step runs in a
process of its own (bench/scale_steps.py) so that its peak memory is its own. Indexing uses the default embedder
for real: at 1,000 documents that takes hours on 2 cores, nearly all of it the model.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
STEPS = ("build", "update", "query", "peer", "start")
RUN_FIELDS = ("date", "machine", "embedder", "questions")  # kept on each size's result, said once if all agree


def run_step(step: str, docs: int, out: Path, questions: int) -> dict:
    """One step in a new process; its JSON result."""
    command = [sys.executable, str(HERE / "scale_steps.py"), step, "--docs", str(docs), "--out", str(out)]
    command += ["--questions", str(questions)]
    print(f"== {step} {docs} documents", file=sys.stderr, flush=True)
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"step {step} at {docs} documents failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def header(*names: str) -> list[str]:
    return [row(*names), row(*["---"] * len(names))]


def indexing_table(results: list[dict]) -> list[str]:
    lines = header(
        "documents", "chunks", "characters", "parse s", "segment s", "embed s", "index s", "total s",
        "chars/s", "chunks/s", "embedding share", "peak RSS MB",
    )  # fmt: skip
    for r in results:
        b, t = r["build"], r["build"]["timings"]
        index_s = t["faiss"] + t["bm25"] + t["write"] + t["assemble"]
        total, embed = b["total_s"], b.get("embed_s", t["embed"])
        lines.append(
            row(
                f"{b['docs']:,}",
                f"{b['chunks']:,}",
                f"{b['chars']:,}",
                f"{t['parse']:.2f}",
                f"{t['segment']:.2f}",
                f"{embed:.1f}",
                f"{index_s:.2f}",
                f"{total:.1f}",
                f"{b['chars'] / total:,.0f}",
                f"{b['chunks'] / total:.1f}",
                f"{embed / total:.1%}",
                f"{b['peak_rss_mb']:.0f}",
            )  # fmt: skip
        )
    return lines


def resumed_notes(results: list[dict]) -> list[str]:
    """A line for each build that was stopped and resumed (its embedding spans several processes)."""
    lines = []
    for r in results:
        b = r["build"]
        if attempts := b.get("earlier_attempts"):
            lines += [
                "",
                f"The {b['docs']:,}-document build was stopped {len(attempts)} time(s) and resumed from its embedding "
                f"journal ({b['resumed']:,} vectors taken from it). Its embed s and total s add the "
                f"{sum(a['embed_s'] for a in attempts):,.0f} s the stopped attempts spent embedding; their parse and "
                "segment, repeated by the next attempt, are not counted.",
            ]
    return lines


def updates_table(results: list[dict]) -> list[str]:
    lines = header(
        "documents", "one clause edited (app) s", "re-embedded", "of which embedding s",
        "then searched: ms, finds the edit", "one document added (app) s", "re-embedded", "of which embedding s",
        "both undone (`policybot index`) s", "peak RSS MB",
    )  # fmt: skip
    for r in results:
        u = r["update"]
        edit, add = u["edit_in_app"], u["add_in_app"]
        lines.append(
            row(
                f"{r['build']['docs']:,}",
                f"{edit['s']:.2f}",
                edit["embedded"],
                f"{edit['timings']['embed']:.2f}",
                _searched_after(edit),
                f"{add['s']:.2f}",
                add["embedded"],
                f"{add['timings']['embed']:.2f}",
                f"{u['edit_by_cli']['s']:.2f}",
                f"{u['peak_rss_mb']:.0f}",
            )  # fmt: skip
        )
    return lines


def _searched_after(edit: dict) -> str:
    if "first_search_ms" not in edit:
        return "—"
    return f"{edit['first_search_ms']:.1f}, {'yes' if edit['found'] else 'NO'}"


def query_table(results: list[dict]) -> list[str]:
    lines = header(
        "documents", "chunks", "FAISS", "search p50 / p95 / p99 ms", "segment", "embed query", "BM25", "FAISS ms",
        "fusion", "ask p50 / p95 / p99 ms", "answer", "repeated search p50 / p95", "load s", "peak RSS MB",
    )  # fmt: skip
    for r in results:
        q = r["query"]
        s = q["stages_ms"]
        lines.append(
            row(
                f"{q['docs']:,}",
                f"{q['chunks']:,}",
                q["dense"],
                _p(q["search_ms"]),
                f"{s.get('segment', 0):.1f}",
                f"{s.get('embed', 0):.1f}",
                f"{s.get('bm25', 0):.1f}",
                f"{s.get('faiss', 0):.2f}",
                f"{s.get('fusion', 0):.1f}",
                _p(q["ask_ms"]),
                f"{mean(q['answer_ms']):.1f}" if "answer_ms" in q else "–",
                f"{percentile(q['repeat_search_ms'], 50):.1f} / {percentile(q['repeat_search_ms'], 95):.1f}",
                f"{q['load_s']:.2f}",
                f"{q['peak_rss_mb']:.0f}",
            )  # fmt: skip
        )
    return lines


def peer_table(results: list[dict]) -> list[str]:
    lines = header(
        "documents", "peer p50 / p95 / p99 ms", "peer BM25", "peer embed", "peer FAISS", "ours p50 / mean ms",
        "ratio p50", "ratio mean", "ratio without the shared model", "Recall@5 ours / peer", "peer RSS MB",
        "peer build s",
    )  # fmt: skip
    for r in results:
        q, p = r["query"], r["peer"]
        ours, theirs = q["search_ms"], p["search_ms"]
        rest_ours = mean(ours) - q["stages_ms"].get("embed", 0)
        rest_peer = mean(theirs) - p["stages_ms"]["embed"]
        lines.append(
            row(
                f"{q['docs']:,}",
                _p(theirs),
                f"{p['stages_ms']['bm25']:.1f}",
                f"{p['stages_ms']['embed']:.1f}",
                f"{p['stages_ms']['faiss']:.2f}",
                f"{percentile(ours, 50):.1f} / {mean(ours):.1f}",
                f"{percentile(theirs, 50) / percentile(ours, 50):.1f}×",
                f"{mean(theirs) / mean(ours):.1f}×",
                f"{rest_peer / rest_ours:.0f}×",
                f"{q['recall_at_5']:.3f} / {p['recall_at_5']:.3f}",
                f"{p['peak_rss_mb']:.0f}",
                f"{p['build_s']:.1f}",
            )  # fmt: skip
        )
    return lines


def quality_table(results: list[dict]) -> list[str]:
    lines = header(
        "documents", "questions", "search Recall@5", "answer cites the gold clause", "who leads: exact units"
    )
    for r in results:
        q = r["query"]
        lines.append(
            row(
                f"{q['docs']:,}",
                q["questions"],
                f"{q['recall_at_5']:.3f}",
                f"{q['ask_cites_gold']:.3f}",
                f"{q['who_leads_exact']:.3f}",
            )  # fmt: skip
        )
    return lines


def start_table(results: list[dict]) -> list[str]:
    lines = header("documents", "page served s (1st / 2nd start)", "first answer s (1st / 2nd start)")
    for r in results:
        runs = r["start"]["runs"]
        lines.append(
            row(
                f"{r['start']['docs']:,}",
                " / ".join(f"{x['page_s']:.1f}" for x in runs),
                " / ".join(f"{x['first_answer_s']:.1f}" for x in runs),
            )
        )
    return lines


def targets_table(results: list[dict]) -> list[str]:
    """The issue's targets, checked at the largest size measured."""
    r = max(results, key=lambda x: x["query"]["chunks"])
    b, q, p = r["build"], r["query"], r["peer"]
    t = b["timings"]
    overhead = 1 - b.get("embed_s", t["embed"]) / b["total_s"]
    ratio = percentile(p["search_ms"], 50) / percentile(q["search_ms"], 50)
    peak = max(b["peak_rss_mb"], r["update"]["peak_rss_mb"], q["peak_rss_mb"])
    checks = [
        ("hybrid search p50", "≤ 30 ms", percentile(q["search_ms"], 50), 30, "ms"),
        ("hybrid search p95", "≤ 60 ms", percentile(q["search_ms"], 95), 60, "ms"),
        ("ask p95 (no LLM)", "≤ 100 ms", percentile(q["ask_ms"], 95), 100, "ms"),
        ("faster per query than the naive peer (p50)", "≥ 20×", ratio, -20, "×"),
        ("indexing overhead (all but embedding)", "≤ 25%", 100 * overhead, 25, "%"),
        ("one changed document re-indexed (app)", "≤ 2 s", r["update"]["edit_in_app"]["s"], 2, "s"),
        ("peak RSS (build, updates or queries)", "≤ 1.5 GB", peak / 1024, 1.5, "GB"),
    ]
    lines = header(f"at {q['chunks']:,} chunks", "target", "measured", "")
    for name, target, value, limit, unit in checks:
        met = value >= -limit if limit < 0 else value <= limit
        lines.append(
            row(
                name,
                target,
                f"{value:.2f} {unit}" if unit in ("GB", "s") else f"{value:.1f} {unit}",
                "met" if met else "**missed**",
            )
        )
    return lines


def _p(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99))


def report(run: dict) -> str:
    """All tables of a run, as Markdown."""
    results = run["results"]
    parts = [
        f"Run of {run['date']} ({_commits_said(run)}) on {run['machine']}: "
        f"default embedder `{run['embedder']}`, "
        f"{run['questions']} distinct generated questions per size, each timed once with the query cache empty.",
        "",
        "**Targets** (issue #7, set for about 100 k chunks), checked at the largest size in this run:",
        "",
        *targets_table(results),
        "",
        "**Indexing** (from an empty index; parse = read and parse files, segment = chunk and jieba, "
        "embed = the model, index = FAISS + BM25 + writing the version):",
        "",
        *indexing_table(results),
        *resumed_notes(results),
        "",
        "**Updates** (the app's path, in a process that has loaded the index; `policybot index` starts a new process "
        "and loads it):",
        "",
        *updates_table(results),
        "",
        "**Queries** (hybrid search, k = 5; stage columns are means in ms; ask = the whole answer, which for a "
        "question naming a clause heading, number or the document itself needs no search at all; answer = what "
        "answering adds to the searches it makes; repeated = the same questions again, query vectors cached):",
        "",
        *query_table(results),
        "",
        "**The naive peer** (jieba.lcut + rank_bm25 `get_scores` over every chunk + an uncached query encoding by "
        "the same model + a flat FAISS scan; same chunks, vectors and questions; ratios = peer ÷ ours):",
        "",
        *peer_table(results),
        "",
        "**Answer quality on the generated questions:**",
        "",
        *quality_table(results),
        "",
        "**App start** on the built index (`python app.py`; the first start after a build also compiles bytecode):",
        "",
        *start_table(results),
    ]
    return "\n".join(parts) + "\n"


def _commits_said(run: dict) -> str:
    """Which commit each step ran at, by size where sizes differ."""
    said_steps: dict[str, list[str]] = {}
    for step in STEPS:
        sizes_by_commit: dict[str, list[str]] = {}
        for r in run["results"]:
            commit = r.get("commits", {}).get(step) or run.get("commits", {}).get(step) or run.get("commit", "?")
            sizes_by_commit.setdefault(commit, []).append(f"{r['docs']:,}")
        if len(sizes_by_commit) == 1:
            said = f"commit {next(iter(sizes_by_commit))}"
        else:
            said = ", ".join(f"{c} ({', '.join(sizes)} documents)" for c, sizes in sizes_by_commit.items())
        said_steps.setdefault(said, []).append(step)
    if len(said_steps) == 1:
        return next(iter(said_steps))
    return "; ".join(f"{', '.join(steps)} at {said}" for said, steps in said_steps.items())


def write_readme(text: str) -> None:
    readme = HERE / "README.md"
    current = readme.read_text(encoding="utf-8")
    if BEGIN not in current or END not in current:
        raise SystemExit(f"{readme} has no {BEGIN} … {END} section to fill")
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000", help="documents per size, comma-separated")
    parser.add_argument("--questions", type=int, default=300, help="distinct questions per size (default 300)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="corpora, indexes and results (git-ignored)")
    parser.add_argument("--from-json", type=Path, help="only print the tables of an earlier run")
    parser.add_argument("--no-readme", action="store_true", help="do not write the tables into bench/README.md")
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help="steps to run (default all); the others are taken from --out's scale.json of an earlier run, "
        "whose indexes they then reuse (e.g. --steps query,peer,start after a change to search only)",
    )
    args = parser.parse_args(argv)

    if args.from_json:
        run = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        from policybot.index.embed import load_embedder

        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        steps = [s for s in args.steps.split(",") if s.strip()]
        if unknown := set(steps) - set(STEPS):
            parser.error(f"unknown steps {sorted(unknown)}; choose from {','.join(STEPS)}")
        earlier = _earlier(args.out / "scale.json")
        # the query side needs each size's index: a step after build needs a build, this run's or an earlier one's
        if missing := [(d, st) for d in sizes for st in STEPS[:1] if st not in steps and st not in earlier.get(d, {})]:
            docs, step = missing[0]
            raise SystemExit(f"--steps {args.steps} needs an earlier {step} at {docs} documents in {args.out}")
        commit = _commit()
        machine = f"{platform.machine()}, {_cpus()} cores, Python {platform.python_version()}"
        embedder = load_embedder().id
        # every size keeps its earlier results until it is run again, so a long size can run (and resume) alone
        by_docs = dict(earlier)
        args.out.mkdir(parents=True, exist_ok=True)
        for docs in sizes:
            result: dict = {"docs": docs, "commits": {}, "date": time.strftime("%Y-%m-%d"), "machine": machine}
            result |= {"embedder": embedder, "questions": args.questions}
            for step in STEPS:
                if step in steps:
                    result[step] = run_step(step, docs, args.out, args.questions)
                    result["commits"][step] = commit
                elif step in earlier.get(docs, {}):
                    result[step] = earlier[docs][step]
                    result["commits"][step] = earlier[docs]["commits"][step]
            by_docs[docs] = result
            run = _run_of([by_docs[d] for d in sorted(by_docs)])
            (args.out / "scale.json").write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
        run = _run_of([by_docs[d] for d in sorted(by_docs)])
    if unrun := [(r["docs"], st) for r in run["results"] for st in STEPS if st not in r]:
        # builds of hours run first and the query side later on a quiet machine; tables need every step
        docs, step = unrun[0]
        print(f"no tables yet: {step} at {docs} documents has not run (--steps {step})", file=sys.stderr)
        return 0
    text = report(run)
    print(text)
    if not args.no_readme:
        write_readme(text)
    return 0


def _earlier(path: Path) -> dict[int, dict]:
    """The results of an earlier run by size, each with the commit every step of it ran at and its setting."""
    if not path.is_file():
        return {}
    earlier = json.loads(path.read_text(encoding="utf-8"))
    run_commits = earlier.get("commits") or dict.fromkeys(STEPS, earlier.get("commit", "?"))
    for result in earlier["results"]:
        result.setdefault("commits", run_commits)
        for key in RUN_FIELDS:
            result.setdefault(key, earlier.get(key, "?"))
    return {r["docs"]: r for r in earlier["results"]}


def _run_of(results: list[dict]) -> dict:
    """A run's JSON: its results, and each setting that all of them share (else every value, by size)."""
    run: dict = {}
    for key in RUN_FIELDS:
        values = list(dict.fromkeys(str(r[key]) for r in results))
        run[key] = values[0] if len(values) == 1 else "; ".join(f"{r[key]} ({r['docs']:,} documents)" for r in results)
    run["results"] = results
    return run


def _commit() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "?"


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

"""Load test of the web app's /ask endpoint: N concurrent gradio_client clients on loopback; prints latency figures.

python bench/load_ask.py                      # start the app in-process on a free 127.0.0.1 port
python bench/load_ask.py --url http://127.0.0.1:7860/ --clients 20 --total 1000
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_questions(path: Path) -> list[str]:
    questions = [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not questions:
        raise SystemExit(f"no questions in {path}")
    return questions


def check_loopback(url: str) -> str:
    host = urlparse(url).hostname
    if host != "127.0.0.1":
        raise SystemExit(f"refusing {url!r}: this benchmark only drives http://127.0.0.1 (loopback) servers")
    return url


def start_app(concurrency: int | None):
    """Build the index if needed and launch the Gradio app in this process; returns (demo, url)."""
    from dataclasses import replace

    from policybot.bot import PolicyBot
    from policybot.settings import Settings
    from policybot.web.app import build_app

    settings = Settings.from_env()
    if concurrency:
        settings = replace(settings, concurrency=concurrency)
    bot = PolicyBot(settings)
    bot.ensure_index()
    demo = build_app(bot)
    demo.queue(default_concurrency_limit=bot.settings.concurrency)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True)
    return demo, demo.local_url


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def run(url: str, questions: list[str], clients: int, total: int, max_seconds: float) -> dict:
    from gradio_client import Client

    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # noqa: BLE001 - a client that cannot connect is one error, reported
            with lock:
                errors.append(f"connect: {type(exc).__name__}: {exc}")
            return
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= total:
                return
            question = questions[n % len(questions)]
            t = time.perf_counter()
            try:
                reply = client.predict(question, api_name="/ask")
                ok = isinstance(reply, str) and reply.strip() != ""
                problem = "" if ok else f"empty reply to {question!r}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                problem = f"{question!r}: {type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=max(0.0, deadline - time.monotonic()) + 60)
    wall = time.perf_counter() - started
    lat = sorted(latencies)
    done = len(lat) + len(errors)
    return {
        "url": url,
        "clients": clients,
        "requested": total,
        "completed": len(lat),
        "errors": len(errors),
        "error_samples": errors[:5],
        "timed_out": done < total,
        "seconds": round(wall, 2),
        "throughput_rps": round(len(lat) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(lat[-1], 1) if lat else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app on http://127.0.0.1 (default: start one in-process)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20)")
    parser.add_argument("--total", type=int, default=1000, help="questions in all (default 1000)")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop after this long (default 600)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSONL with a 'q' field per line")
    parser.add_argument("--concurrency", type=int, help="server queue concurrency when started in-process")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.total < 1 or args.max_seconds <= 0:
        parser.error("--clients, --total and --max-seconds must be positive")

    questions = load_questions(args.questions)
    demo = None
    if args.url:
        url = check_loopback(args.url)
    else:
        demo, url = start_app(args.concurrency)
        check_loopback(url)
    try:
        result = run(url, questions, args.clients, args.total, args.max_seconds)
    finally:
        if demo is not None:
            demo.close()

    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"url            {result['url']}  clients {result['clients']}")
        print(f"completed      {result['completed']}/{result['requested']} in {result['seconds']} s")
        print(f"errors         {result['errors']}" + ("  (stopped by --max-seconds)" if result["timed_out"] else ""))
        for sample in result["error_samples"]:
            print(f"  ! {sample}")
        print(f"throughput     {result['throughput_rps']} req/s")
        print(
            f"latency ms     p50 {result['p50_ms']}  p95 {result['p95_ms']}  p99 {result['p99_ms']}  max {result['max_ms']}"
        )
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

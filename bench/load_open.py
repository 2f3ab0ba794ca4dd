"""Open-loop load test of the app as users arrive: requests start at a fixed rate (not one after another), so a slow
server meets more waiting requests, as it would with real users. Prints, for each rate, p50/p95/p99 latency and
errors, then the highest rate sustained with p95 <= 300 ms and 0 errors.

    python bench/load_open.py --target api                 # POST /api/ask (the JSON API)
    python bench/load_open.py --target gradio              # the Gradio endpoint /gradio_api/call/ask
    python bench/load_open.py --target api --rates 20,25,30 --seconds 15

Each rate runs against a freshly started `python app.py` (its own process, on a free loopback port, over the seed
corpus index built with the default embedder), so its query cache starts empty; questions are the bench question
sets, shuffled, each asked once per run until the set is used up: at most 10 % of a run's requests repeat one.
Latency is measured from the moment a request was due, so a generator that falls behind counts against the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = (
    "questions.jsonl",
    "heldout_questions.jsonl",
    "heldout2_questions.jsonl",
    "messy/questions.jsonl",
    "law_questions.jsonl",
)
P95_LIMIT_MS = 300.0
MAX_REPEAT_SHARE = 0.10
REQUEST_TIMEOUT = 15.0
WARM_UP = ("测试问题：人才引进补贴", "测试问题：项目用地指标", "测试问题：小微企业贷款")  # not in the question sets


@dataclass(frozen=True, slots=True)
class RunResult:
    """One rate's figures."""

    rate: float
    sent: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    repeats: float  # share of requests asking a question already asked in this run
    load_before: float  # the machine's 1-minute load average when the run started
    error_kinds: str  # "HTTP 503 ×3, ReadTimeout ×1"

    @property
    def sustained(self) -> bool:
        return self.errors == 0 and self.p95_ms <= P95_LIMIT_MS


def load_questions() -> list[str]:
    """Every distinct question of the bench sets, in a fixed shuffled order."""
    questions: dict[str, None] = {}
    for name in QUESTION_FILES:
        for line in (ROOT / "bench" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions[json.loads(line)["q"].strip()] = None
    shuffled = list(questions)
    random.Random(14).shuffle(shuffled)
    return shuffled


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index_dir: Path, port: int) -> subprocess.Popen:
    """`python app.py` on the seed corpus and this index, on 127.0.0.1:port; returns once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env |= {"POLICYBOT_INDEX_DIR": str(index_dir), "POLICYBOT_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("app.py did not answer within 300 s")


async def ask_api(client: httpx.AsyncClient, url: str, question: str) -> str:
    """ "" when answered, else what went wrong (the HTTP status)."""
    reply = await client.post(f"{url}/api/ask", json={"question": question})
    return "" if reply.status_code == 200 and "answer" in reply.json() else f"HTTP {reply.status_code}"


async def ask_gradio(client: httpx.AsyncClient, url: str, question: str) -> str:
    """Gradio's two-step call: POST queues the event, GET streams its result (server-sent events)."""
    queued = await client.post(f"{url}/gradio_api/call/ask", json={"data": [question]})
    if queued.status_code != 200:
        return f"HTTP {queued.status_code}"
    event_id = queued.json()["event_id"]
    result = await client.get(f"{url}/gradio_api/call/ask/{event_id}")
    return "" if result.status_code == 200 and "event: complete" in result.text else "event error"


async def run_rate(url: str, target: str, rate: float, questions: list[str]) -> tuple[list[float], Counter]:
    """Send len(questions) requests, the i-th due at i / rate seconds; (latencies of successes in ms, errors by
    kind)."""
    send = ask_api if target == "api" else ask_gradio
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    latencies: list[float] = []
    errors: Counter = Counter()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        for warm in WARM_UP:
            await send(client, url, warm)
        start = time.perf_counter() + 0.5

        async def one(i: int, question: str) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                failure = await send(client, url, question)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                failure = type(exc).__name__
            if failure:
                errors[failure] += 1
            else:
                latencies.append((time.perf_counter() - due) * 1000)

        await asyncio.gather(*(one(i, q) for i, q in enumerate(questions)))
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(index_dir: Path, target: str, rate: float, seconds: float, pool: list[str]) -> RunResult:
    """One rate against a fresh app: requests for `seconds` (fewer when the questions would repeat over 10 %)."""
    count = int(min(rate * seconds, len(pool) / (1 - MAX_REPEAT_SHARE)))
    questions = [pool[i % len(pool)] for i in range(count)]
    port = free_port()
    proc = start_app(index_dir, port)
    try:
        load = os.getloadavg()[0]
        latencies, errors = asyncio.run(run_rate(f"http://127.0.0.1:{port}", target, rate, questions))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return RunResult(
        rate=rate,
        sent=count,
        errors=sum(errors.values()),
        error_kinds=", ".join(f"{kind} ×{n}" for kind, n in errors.most_common()),
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        repeats=(count - len(set(questions))) / count,
        load_before=load,
    )


def ensure_index(index_dir: Path) -> None:
    """Build the seed corpus index with the default embedder when it is missing or out of date."""
    sys.path.insert(0, str(ROOT))
    from policybot.bot import PolicyBot
    from policybot.settings import Settings

    settings = Settings.from_env(env={}, index_dir=index_dir)
    PolicyBot(settings).ensure_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=("api", "gradio"), default="api")
    parser.add_argument("--rates", default="10,15,20,25,30,35,40,45,50", help="requests per second, ascending")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each rate's run")
    parser.add_argument("--index", type=Path, default=ROOT / "bench" / "out" / "load-index")
    args = parser.parse_args()
    ensure_index(args.index)
    pool = load_questions()
    print(
        f"target {args.target}; {len(pool)} distinct questions; {os.cpu_count()} cores; limit p95 <= 300 ms, 0 errors"
    )
    print("rate/s  sent  errors  p50 ms  p95 ms  p99 ms  repeats  load(1m) before")
    best, failures = None, 0
    for rate in (float(r) for r in args.rates.split(",")):
        r = measure(args.index, args.target, rate, args.seconds, pool)
        print(
            f"{r.rate:6.1f}  {r.sent:4d}  {r.errors:6d}  {r.p50_ms:6.0f}  {r.p95_ms:6.0f}  {r.p99_ms:6.0f}"
            f"  {r.repeats:6.1%}  {r.load_before:5.2f}  {r.error_kinds}",
            flush=True,
        )
        if r.sustained:
            best, failures = r, 0
        else:
            failures += 1
            if failures == 2:
                break
    if best is None:
        print("no rate sustained p95 <= 300 ms with 0 errors")
    else:
        print(f"highest rate sustained: {best.rate:.0f}/s (p95 {best.p95_ms:.0f} ms, 0 errors of {best.sent})")


if __name__ == "__main__":
    main()

"""Measure retrieval (Recall@k, MRR per fusion) and answers (intent, cites gold, refusals) on a question file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from policybot.answer import Conversation
from policybot.bot import PolicyBot
from policybot.errors import InputError
from policybot.finder import Finder
from policybot.retrieve import Retriever

FUSIONS_MEASURED = ("bm25", "dense", "rrf", "score")


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One line of the question file."""

    q: str
    gold: tuple[str, ...]
    intent: str
    kind: str = ""
    lead: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        """True when the corpus holds the answer."""
        return bool(self.gold)


def read_questions(path: Path) -> list[EvalQuestion]:
    """Parse a JSONL question file; InputError names the line that is wrong."""
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                EvalQuestion(
                    q=row["q"],
                    gold=tuple(row.get("gold", ())),
                    intent=row.get("intent", ""),
                    kind=row.get("kind", ""),
                    lead=tuple(row.get("lead", ())),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{n}: 无效的题目行 ({exc}); expected {{q, gold, intent}}") from exc
    return questions


def retrieval_metrics(finder: Finder, questions: list[EvalQuestion], k: int = 10) -> dict[str, float]:
    """Recall@1/3/5 and MRR of clause retrieval (the search users get) over the in-scope questions."""
    ranks = []
    for q in questions:
        if not q.in_scope:
            continue
        ids = [h.clause_id for h in finder.find(q.q, k=k).hits]
        ranks.append(next((i for i, c in enumerate(ids) if c in q.gold), None))
    n = max(1, len(ranks))
    return {
        "questions": len(ranks),
        "recall@1": sum(r is not None and r < 1 for r in ranks) / n,
        "recall@3": sum(r is not None and r < 3 for r in ranks) / n,
        "recall@5": sum(r is not None and r < 5 for r in ranks) / n,
        "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n,
    }


def answer_metrics(bot: PolicyBot, questions: list[EvalQuestion]) -> dict[str, float]:
    """Intent accuracy, answer-cites-gold rate, lead-unit exactness and refusal precision/recall."""
    intent_ok = cites_gold = in_scope = lead_total = lead_ok = 0
    refused_oos = refused_in = oos = 0
    for q in questions:
        answer = bot.ask(q.q, Conversation())
        if q.in_scope:
            in_scope += 1
            intent_ok += answer.intent == q.intent
            cited = [c.clause_id for c in answer.citations if not c.nearest_only]
            cites_gold += answer.found and any(c in q.gold for c in cited)
            refused_in += not answer.found
            if q.lead:
                lead_total += 1
                lead_ok += set(answer.lead_units) == set(q.lead)
        else:
            oos += 1
            refused_oos += not answer.found
    refused = refused_oos + refused_in
    return {
        "in_scope": in_scope,
        "out_of_scope": oos,
        "intent_accuracy": intent_ok / max(1, in_scope),
        "cites_gold": cites_gold / max(1, in_scope),
        "who_leads_exact": lead_ok / max(1, lead_total),
        "refusal_precision": refused_oos / refused if refused else 1.0,
        "refusal_recall": refused_oos / max(1, oos),
    }


def finder_with(bot: PolicyBot, fusion: str) -> Finder:
    """The bot's search, with another fusion of BM25 and dense rankings."""
    retriever = Retriever(bot.index, bot.segmenter, bot.embedder, fusion)
    return Finder(retriever, bot.finder.catalog, bot.finder.builder)


def evaluate(bot: PolicyBot, path: Path) -> dict:
    """Both tables for one question file."""
    questions = read_questions(path)
    retrieval = {fusion: retrieval_metrics(finder_with(bot, fusion), questions) for fusion in FUSIONS_MEASURED}
    return {"retrieval": retrieval, "answers": answer_metrics(bot, questions), "embedder": bot.embedder.id}


def format_report(report: dict) -> str:
    """Markdown tables of an evaluate() report."""
    lines = [
        f"Embedder: `{report['embedder']}`",
        "",
        "| retrieval | Recall@1 | Recall@3 | Recall@5 | MRR |",
        "|---|---|---|---|---|",
    ]
    names = {"bm25": "BM25 only", "dense": "dense only", "rrf": "hybrid (RRF)", "score": "hybrid (score fusion)"}
    for fusion, m in report["retrieval"].items():
        lines.append(
            f"| {names[fusion]} | {m['recall@1']:.3f} | {m['recall@3']:.3f} | {m['recall@5']:.3f} | {m['mrr']:.3f} |"
        )
    a = report["answers"]
    lines += [
        "",
        f"| answers ({a['in_scope']} in scope, {a['out_of_scope']} out of scope) | value |",
        "|---|---|",
        f"| intent accuracy | {a['intent_accuracy']:.3f} |",
        f"| answer cites a gold clause | {a['cites_gold']:.3f} |",
        f"| who-leads: exact lead units | {a['who_leads_exact']:.3f} |",
        f"| refusal precision | {a['refusal_precision']:.3f} |",
        f"| refusal recall | {a['refusal_recall']:.3f} |",
    ]
    return "\n".join(lines)

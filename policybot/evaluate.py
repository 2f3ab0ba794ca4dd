"""Measure search and answers on a question file: Recall@k and MRR per fusion, intent, citations, refusals, and
whether the answer shows the sentence that answers.

Three kinds of question line are read (one file may mix them):
- `{"q", "gold": [clause ids], "intent", "lead"?}`: the clauses that answer (bench/questions.jsonl);
- `{"q", "doc", "sentence", "key"?}`: the document and the sentence that answer (bench/messy/questions.jsonl);
- `{"q", "law", "articles": ["第十九条"], "also"?: [{"law", "articles"}]}`: a law's file and the articles that
  answer (bench/law_questions.jsonl); `also` names articles of this or another law that answer as well, found when
  the set was re-read (an answer citing them is right; `cites_first_annotated` counts only `law`/`articles`).
A line with none of them (empty gold, doc or articles) is out of scope: the corpus holds no answer. `split` ("tune"
or "test") lets a report cover one part only: tune on one, report on the other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from policybot.answer.answerer import Answer, Conversation
from policybot.bot import PolicyBot
from policybot.document import normalize
from policybot.errors import InputError
from policybot.retrieve.finder import Finder
from policybot.retrieve.hybrid import Hit, Retriever

FUSIONS_MEASURED = ("bm25", "dense", "rrf", "score")
SHOWN_CHARS = 300  # "the answer's first 300 characters contain the answering sentence"
# a gold sentence copied with its article's number: the clause's text and the answer hold the number apart from it
ARTICLE_NUMBER_RE = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十])?\s*")


def sentence_text(sentence: str) -> str:
    """A gold sentence as a clause's text holds it: normalised, without a leading "第三十三条"."""
    return normalize(ARTICLE_NUMBER_RE.sub("", sentence.strip()))


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One line of a question file."""

    q: str
    gold: tuple[str, ...] = ()
    intent: str = ""
    kind: str = ""
    lead: tuple[str, ...] = ()
    doc: str = ""
    sentence: str = ""
    key: str = ""
    articles: tuple[str, ...] = ()
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (doc, articles) that answer as well
    split: str = ""

    @property
    def in_scope(self) -> bool:
        """True when the corpus holds the answer."""
        return bool(self.gold or self.doc or self.articles)

    def answered_by(self, hit: Hit | None, first_annotated: bool = False) -> bool:
        """True when a clause answers the question: a gold clause, the answering sentence's clause, a gold article
        (also one of `also`, unless only the first annotation counts)."""
        if hit is None or not self.in_scope:
            return False
        if self.gold:
            return hit.clause_id in self.gold and (not self.doc or hit.doc_id == self.doc)
        if self.articles:
            answering = ((self.doc, self.articles),) + (() if first_annotated else self.also)
            return any(hit.doc_id == doc and hit.clause_path in articles for doc, articles in answering)
        return hit.doc_id == self.doc and sentence_text(self.sentence) in normalize(hit.text)


def _question(row: dict) -> EvalQuestion:
    law = row.get("law", "")
    doc = row.get("doc") or (Path(law).stem if law else "")
    return EvalQuestion(
        q=row["q"],
        gold=tuple(row.get("gold", ())),
        intent=row.get("intent", ""),
        kind=row.get("kind", ""),
        lead=tuple(row.get("lead", ())),
        doc=doc,
        sentence=row.get("sentence", ""),
        key=row.get("key", ""),
        articles=tuple(row.get("articles", ())),
        also=tuple((Path(a["law"]).stem, tuple(a["articles"])) for a in row.get("also", ())),
        split=row.get("split", ""),
    )


def read_questions(path: Path, split: str = "") -> list[EvalQuestion]:
    """Parse a JSONL question file (only the given split, when one is given); InputError names the bad line."""
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            question = _question(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{n}: 无效的题目行 ({exc}); expected {{q, gold|doc|law, …}}") from exc
        if not split or question.split == split:
            questions.append(question)
    if split and not questions:
        raise InputError(f"{path}: 没有 split={split!r} 的题目 (no questions in that split)")
    return questions


def retrieval_metrics(finder: Finder, questions: list[EvalQuestion], k: int = 10) -> dict[str, float]:
    """Recall@1/3/5 and MRR of the search users get, over the in-scope questions; and how often the first hit is
    in the right document."""
    ranks, right_doc = [], 0
    for q in questions:
        if not q.in_scope:
            continue
        hits = finder.find(q.q, k=k).hits
        ranks.append(next((i for i, h in enumerate(hits) if q.answered_by(h)), None))
        right_doc += bool(hits) and (hits[0].doc_id == q.doc if q.doc else True)
    n = max(1, len(ranks))
    return {
        "questions": len(ranks),
        "recall@1": sum(r is not None and r < 1 for r in ranks) / n,
        "recall@3": sum(r is not None and r < 3 for r in ranks) / n,
        "recall@5": sum(r is not None and r < 5 for r in ranks) / n,
        "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n,
        "first_hit_right_document": right_doc / n,
    }


def shows_sentence(answer: Answer, sentence: str) -> bool:
    """True when the answer's first SHOWN_CHARS characters hold the sentence (spacing and width ignored)."""
    return bool(sentence) and sentence_text(sentence) in normalize(answer.answer[:SHOWN_CHARS])


def _first_cited(answer: Answer) -> Hit | None:
    cited = [c for c in answer.citations if not c.nearest_only] if answer.found else []
    if not cited:
        return None
    c = cited[0]
    return Hit(c.doc_id, c.doc_title, c.doc_number, c.clause_id, c.clause_path, c.heading, c.text, c.score, kind=c.kind)


def answer_metrics(bot: PolicyBot, questions: list[EvalQuestion]) -> dict[str, float]:
    """Intent, citations (right clause, right document, an article not a chapter), lead units, answering sentence
    shown, and refusals (of in-scope and of out-of-scope questions)."""
    counts = dict.fromkeys(
        ("in_scope", "oos", "intent_total", "intent", "cited", "doc", "lead_total", "lead", "sentences", "shown", "key_shown",
         "laws", "article", "heading_only", "cited_first", "refused_in", "refused_oos"),
        0,
    )  # fmt: skip
    for q in questions:
        answer = bot.ask(q.q, Conversation())
        if not q.in_scope:
            counts["oos"] += 1
            counts["refused_oos"] += not answer.found
            continue
        first = _first_cited(answer)
        counts["in_scope"] += 1
        if q.intent:
            counts["intent_total"] += 1
            counts["intent"] += answer.intent == q.intent
        counts["cited"] += q.answered_by(first)
        counts["cited_first"] += q.answered_by(first, first_annotated=True)
        counts["doc"] += first is not None and (first.doc_id == q.doc if q.doc else True)
        counts["refused_in"] += not answer.found
        if q.lead:
            counts["lead_total"] += 1
            counts["lead"] += set(answer.lead_units) == set(q.lead)
        if q.sentence and not q.articles:
            counts["sentences"] += 1
            counts["shown"] += shows_sentence(answer, q.sentence)
            counts["key_shown"] += bool(q.key) and normalize(q.key) in normalize(answer.answer[:SHOWN_CHARS])
        if q.articles and first is not None:  # of the law questions answered, what the answer cites first
            counts["laws"] += 1
            counts["article"] += first.kind == "article"
            counts["heading_only"] += first.kind in ("part", "chapter", "section") and not first.text.strip()
    c = counts
    share = lambda part, whole: c[part] / c[whole] if c[whole] else float("nan")  # noqa: E731
    return {
        "in_scope": c["in_scope"],
        "out_of_scope": c["oos"],
        "intent_accuracy": share("intent", "intent_total"),
        "cites_answering_clause": share("cited", "in_scope"),
        "cites_first_annotated": share("cited_first", "in_scope") if any(q.also for q in questions) else float("nan"),
        "first_citation_right_document": share("doc", "in_scope"),
        "who_leads_exact": share("lead", "lead_total"),
        "sentence_in_first_300": share("shown", "sentences"),
        "key_in_first_300": share("key_shown", "sentences"),
        "first_citation_is_article": share("article", "laws"),
        "first_citation_is_heading_only": share("heading_only", "laws"),
        "in_scope_refused": share("refused_in", "in_scope"),
        "out_of_scope_refused": share("refused_oos", "oos"),
    }


def finder_with(bot: PolicyBot, fusion: str) -> Finder:
    """The bot's search, with another fusion of BM25 and dense rankings."""
    retriever = Retriever(bot.index, bot.segmenter, bot.embedder, fusion, backend=bot.backend_for(bot.index))
    return Finder(retriever, bot.finder.catalog, bot.finder.builder)


def evaluate(bot: PolicyBot, path: Path, split: str = "") -> dict:
    """Both tables for one question file (or one split of it)."""
    questions = read_questions(path, split)
    retrieval = {fusion: retrieval_metrics(finder_with(bot, fusion), questions) for fusion in FUSIONS_MEASURED}
    return {
        "file": str(path),
        "split": split or "all",
        "retrieval": retrieval,
        "answers": answer_metrics(bot, questions),
        "embedder": bot.embedder.id,
        "backend": bot.backend_name,
    }


def format_report(report: dict) -> str:
    """Markdown tables of an evaluate() report."""
    lines = [
        f"`{report['file']}` ({report['split']}), embedder `{report['embedder']}`, backend `{report.get('backend', 'local')}`",
        "",
        "| retrieval | Recall@1 | Recall@3 | Recall@5 | MRR | first hit in right document |",
        "|---|---|---|---|---|---|",
    ]
    names = {"bm25": "BM25 only", "dense": "dense only", "rrf": "hybrid (RRF)", "score": "hybrid (score fusion)"}
    for fusion, m in report["retrieval"].items():
        lines.append(
            f"| {names[fusion]} | {m['recall@1']:.3f} | {m['recall@3']:.3f} | {m['recall@5']:.3f} | {m['mrr']:.3f} "
            f"| {m['first_hit_right_document']:.3f} |"
        )
    a = report["answers"]
    rows = (
        ("intent accuracy", "intent_accuracy"),
        ("answer cites an answering clause", "cites_answering_clause"),
        ("answer cites a first-annotated article (not counting `also`)", "cites_first_annotated"),
        ("first citation in the right document", "first_citation_right_document"),
        ("who-leads: exact lead units", "who_leads_exact"),
        ("answering sentence in the answer's first 300 characters", "sentence_in_first_300"),
        ("the fact asked for (key) in the first 300 characters", "key_in_first_300"),
        ("laws, answered: first citation is an article", "first_citation_is_article"),
        ("laws, answered: first citation is a bare chapter/part heading", "first_citation_is_heading_only"),
        ("in-scope questions refused", "in_scope_refused"),
        ("out-of-scope questions refused", "out_of_scope_refused"),
    )
    lines += [
        "",
        f"| answers ({a['in_scope']} in scope, {a['out_of_scope']} out of scope) | value |",
        "|---|---|",
        *(f"| {label} | {a[key]:.3f} |" for label, key in rows if a[key] == a[key]),  # nan: not measured here
    ]
    return "\n".join(lines)

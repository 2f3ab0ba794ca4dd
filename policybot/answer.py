"""Question → grounded Answer: the key fact first, quoted from the parsed clauses, or an honest refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from policybot.catalog import Catalog
from policybot.document import Clause, Document, normalize
from policybot.duties import describe_duties
from policybot.intent import (
    DUTIES,
    FACT,
    LOOKUP,
    OTHER,
    SUPPORT,
    SUPPORT_RE,
    WHO_LEADS,
    Question,
    duty_asked,
    is_about_document,
    might_ask_duties,
    name_removed,
    understand,
)
from policybot.retrieve import Hit, Retriever, SearchFilter

# calibrated on bench/questions.jsonl (see README, "Answer quality"): below this the corpus holds no answer
MIN_CONFIDENCE = 0.35
NEAREST_SHOWN = 3
SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
QUESTION_WORDS = frozenset(
    [
        "牵头",
        "部门",
        "单位",
        "负责",
        "怎么办",
        "不能",
        "是不是",
        "哪个",
        "哪些",
        "什么",
        "怎么",
        "有没有",
        "能不能",
        "可以",
        "哪里",
        "多少",
        "一下",
        "方面",
        "有关",
        "问题",
        "主要",
        "内容",
        "规定",
        "这个",
        "那个",
        "哪条",
        "不会",
        "会不会",
        "怎么样",
        "如何",
        "为什么",
        "是否",
    ]
)
# words every support heading shares ("加大…支持"): they say nothing about which clause is meant
GENERIC_WORDS = frozenset(["支持", "政策", "措施", "加大", "优惠", "方面", "有关", "相关", "工作"])
PLACE_RE = re.compile(r"(省|市|县|区|州|北京|上海|天津|重庆|浙江|江苏|广东|贵州|贵阳|四川|云南|湖南|湖北)$")
NOT_FOUND = "现有政策文件中没有找到与这个问题直接相关的规定。"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where an answer comes from: document, 文号, clause path and the quoted text."""

    doc_id: str
    doc_title: str
    doc_number: str
    clause_id: str
    clause_path: str
    heading: str
    text: str
    score: float
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    nearest_only: bool = False

    @classmethod
    def from_hit(cls, hit: Hit, nearest_only: bool = False) -> Citation:
        """A citation quoting the clause a search hit points at."""
        return cls(
            doc_id=hit.doc_id,
            doc_title=hit.doc_title,
            doc_number=hit.doc_number,
            clause_id=hit.clause_id,
            clause_path=hit.clause_path,
            heading=hit.heading,
            text=hit.text,
            score=round(float(hit.score), 4),
            lead_units=hit.lead_units,
            responsible_units=hit.responsible_units,
            nearest_only=nearest_only,
        )

    def to_json(self) -> dict:
        """The same fields a search hit prints, plus whether it is only the nearest clause."""
        return {
            "doc_title": self.doc_title,
            "doc_number": self.doc_number,
            "clause_id": self.clause_id,
            "clause_path": self.clause_path,
            "heading": self.heading,
            "text": self.text,
            "score": self.score,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "doc_id": self.doc_id,
            "nearest_only": self.nearest_only,
        }

    @property
    def label(self) -> str:
        """'《title》（文号）三（二）着力强化规划引领' — how a civil servant cites it."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        heading = "" if self.clause_id == "notice" or self.heading == self.clause_path else self.heading
        return f"《{self.doc_title}》{number}{self.clause_path}{heading}"


@dataclass(frozen=True, slots=True)
class Answer:
    """A grounded answer: short text (key fact first), what was asked, who leads, and its sources."""

    question: str
    answer: str
    intent: str
    found: bool
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    note: str = ""

    def to_json(self) -> dict:
        """The JSON the CLI prints for `policybot ask`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "intent": self.intent,
            "found": self.found,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "citations": [c.to_json() for c in self.citations],
            "confidence": round(self.confidence, 3),
            "note": self.note,
        }


@dataclass(slots=True)
class Conversation:
    """What a follow-up may lean on: the last intent and the clause cited last."""

    last_intent: str = ""
    last_citation: Citation | None = None
    turns: list[Answer] = field(default_factory=list)

    def remember(self, answer: Answer) -> None:
        """Record an answered turn."""
        self.turns.append(answer)
        if answer.found:
            self.last_intent = answer.intent
            if answer.citations:
                self.last_citation = answer.citations[0]


def sentences(text: str) -> list[str]:
    """The sentences of a clause, in order."""
    return [s.strip() for s in SENTENCE_RE.findall(text) if s.strip()]


def units_sentence(lead: tuple[str, ...], responsible: tuple[str, ...]) -> str:
    """'牵头单位：A、B；责任单位：C' exactly as parsed."""
    parts = []
    if lead:
        parts.append("牵头单位：" + "、".join(lead))
    if responsible:
        parts.append("责任单位：" + "、".join(responsible))
    return "；".join(parts)


class Answerer:
    """Answers questions from one retriever's index; never states what no clause says."""

    def __init__(
        self, retriever: Retriever, min_confidence: float = MIN_CONFIDENCE, catalog: Catalog | None = None
    ) -> None:
        self.retriever = retriever
        self.min_confidence = min_confidence
        self.catalog = catalog or Catalog(retriever.index.documents)

    @property
    def documents(self) -> dict[str, Document]:
        """The documents in the index, by id."""
        return self.retriever.index.documents

    def ask(self, text: str, conversation: Conversation | None = None, flt: SearchFilter | None = None) -> Answer:
        """Answer one question, using the conversation for follow-ups when given."""
        question = understand(text)
        question = self._resolve_follow_up(question, conversation)
        question, flt = self._scoped(question, conversation, flt or SearchFilter())
        handler = {
            WHO_LEADS: self._who_leads,
            LOOKUP: self._lookup,
            FACT: self._fact,
            SUPPORT: self._support,
            OTHER: self._other,
        }[question.intent]
        duties = self._duties_asked(question, flt)
        if duties is not None:
            answer = duties
        elif self._about_the_document(question, flt):
            answer = self._metadata_fact(question, flt) or self._outline_answer(
                question, self.documents[flt.doc_ids[0]]
            )
        else:
            answer = handler(question, conversation, flt)
        if conversation is not None:
            conversation.remember(answer)
        return answer

    def _duties_asked(self, q: Question, flt: SearchFilter) -> Answer | None:
        """For "市财政局牵头哪些工作？": the clauses naming the unit as 牵头单位 or 责任单位 (None for other questions)."""
        if (q.intent == WHO_LEADS and q.path) or not might_ask_duties(q.search_text):
            return None  # "三（二）由哪个单位牵头" names a clause, not a unit's work
        asked = [
            (units, role)
            for mention, units in self.catalog.units_in(q.search_text)
            if (role := duty_asked(q.search_text, mention))
        ]
        if not asked:
            return None
        units, role = asked[0]
        keys = self.catalog.duties_of(units, flt.doc_ids)
        duties = describe_duties(
            "、".join(units), role, [(self.retriever.make_hit(d, c, 1.0), r) for (d, c), r in keys]
        )
        return Answer(
            question=q.text,
            answer=duties.text,
            intent=DUTIES,
            found=bool(duties.cited),
            citations=tuple(Citation.from_hit(h) for h in duties.cited),
            confidence=1.0 if duties.cited else 0.0,
        )

    def _resolve_follow_up(self, q: Question, conversation: Conversation | None) -> Question:
        if conversation is None or not conversation.last_intent:
            return q
        if q.follow_up and q.intent in (SUPPORT, OTHER, FACT) and conversation.last_intent in (WHO_LEADS, SUPPORT):
            # "那金融支持呢？" keeps the previous intent with a new topic
            return replace(q, intent=conversation.last_intent)
        return q

    def _scoped(
        self, q: Question, conversation: Conversation | None, flt: SearchFilter
    ) -> tuple[Question, SearchFilter]:
        """Answer from the document the question names (by 文号 or title), or for a bare clause number the
        document of the last answer; with a thousand documents, "三（二）" alone names a clause in each."""
        if flt.doc_ids:
            return q, flt
        doc_id, name = self.catalog.document_in(q.text) or (None, "")
        if doc_id is None and q.path and conversation is not None and conversation.last_citation is not None:
            doc_id, name = conversation.last_citation.doc_id, ""
        if doc_id is None:
            return q, flt
        return replace(q, doc_name=name), replace(flt, doc_ids=(doc_id,))

    def _about_the_document(self, q: Question, flt: SearchFilter) -> bool:
        """A question that names a document and asks for the document itself: its 文号, date, issuer or outline."""
        return (
            bool(q.doc_name)
            and q.intent != WHO_LEADS
            and len(flt.doc_ids) == 1
            and is_about_document(name_removed(q.text, q.doc_name))
        )

    # --- retrieval helpers -------------------------------------------------

    def _search(self, query: str, flt: SearchFilter, k: int = 8) -> list[Hit]:
        return self.retriever.search(query, k=k, flt=flt).hits

    def confidence(self, query: str, hit: Hit) -> float:
        """How sure we are that a hit answers the query, 0..1: words shared with the clause and the corpus, and
        dense similarity; a place the corpus never mentions (贵阳市 in a 遵义 corpus) means the question is elsewhere."""
        words = [t for t in self.retriever.segmenter.cut(query) if len(t) >= 2 and t not in QUESTION_WORDS]
        if not words:
            return 0.0
        clause_text = normalize(f"{hit.heading}{hit.text}").lower()
        overlap = sum(t in clause_text for t in words) / len(words)
        vocab = self.retriever.index.bm25.vocab_dict
        coverage = sum(t in vocab for t in words) / len(words)
        dense = hit.dense_score or self.retriever.dense_similarity(query, hit.doc_id, hit.clause_id)
        # e5 cosines crowd into 0.80..0.90; stretch that range to 0..1
        dense_part = min(1.0, max(0.0, (dense - 0.80) / 0.10))
        score = 0.3 * dense_part + 0.35 * coverage + 0.35 * overlap
        if self._foreign_places(query):
            score *= 0.3
        return round(score, 4)

    def _foreign_places(self, query: str) -> list[str]:
        places = [w for w in self.retriever.segmenter.places(query) if PLACE_RE.search(w)]
        vocab = self.retriever.index.bm25.vocab_dict
        return [p for p in places if p.lower() not in vocab and normalize(p).rstrip("省市县区州") not in vocab]

    def _refuse(self, q: Question, hits: list[Hit], intent: str, confidence: float) -> Answer:
        nearest = tuple(Citation.from_hit(h, nearest_only=True) for h in hits[:NEAREST_SHOWN])
        text = NOT_FOUND
        if nearest:
            text += "以下是最接近的条款，仅供参考，不能作为依据。"
        return Answer(
            question=q.text, answer=text, intent=intent, found=False, citations=nearest, confidence=confidence
        )

    def _confident_hits(self, q: Question, hits: list[Hit]) -> tuple[list[Hit], float]:
        if not hits:
            return [], 0.0
        top = self.confidence(q.topic or q.text, hits[0])
        if top < self.min_confidence:
            return [], top
        kept = [hits[0]] + [h for h in hits[1:] if h.score >= 0.6 * hits[0].score]
        return kept, top

    # --- intents -----------------------------------------------------------

    def _who_leads(self, q: Question, conv: Conversation | None, flt: SearchFilter) -> Answer:
        clause_hit = None
        confidence = 1.0
        if q.deictic and conv is not None and conv.last_citation is not None and len(q.topic) <= 10:
            last = conv.last_citation
            clause_hit = self.retriever.make_hit(last.doc_id, last.clause_id, last.score)
        elif q.path:
            found = self._clauses_by_path(q.path, flt)
            if len({h.doc_id for h in found}) > 1:
                return self._who_leads_in_each(q, found)
            clause_hit = found[0] if found else None
        if clause_hit is None:
            named = [h for h in self._clauses_named_in(q, flt) if h.lead_units or h.responsible_units]
            if len({h.doc_id for h in named}) > 1:
                return self._who_leads_in_each(q, named, what=f"「{named[0].heading}」")
            clause_hit = named[0] if named else None
        if clause_hit is None:
            hits = self._search(q.search_text, flt)
            with_units = [h for h in hits if h.lead_units or h.responsible_units]
            if not with_units:
                return self._refuse(q, hits, WHO_LEADS, self.confidence(q.topic, hits[0]) if hits else 0.0)
            clause_hit = with_units[0]
            confidence = self.confidence(q.topic, clause_hit)
            if confidence < self.min_confidence:
                return self._refuse(q, hits, WHO_LEADS, confidence)
        citation = Citation.from_hit(clause_hit)
        where = f"《{clause_hit.doc_title}》{clause_hit.clause_path}「{clause_hit.heading or clause_hit.text[:20]}」"
        if not (clause_hit.lead_units or clause_hit.responsible_units):
            text = f"{where}没有写明牵头单位或责任单位。"
        else:
            lead = "、".join(clause_hit.lead_units) or "（未写明）"
            text = f"{where}由{lead}牵头。"
            if clause_hit.responsible_units:
                text += f"责任单位：{'、'.join(clause_hit.responsible_units)}。"
        return Answer(
            question=q.text,
            answer=text,
            intent=WHO_LEADS,
            found=True,
            lead_units=clause_hit.lead_units,
            responsible_units=clause_hit.responsible_units,
            citations=(citation,),
            confidence=confidence,
        )

    def _who_leads_in_each(self, q: Question, hits: list[Hit], what: str = "") -> Answer:
        """A clause number or heading that several documents share: who leads it in each, and a request to choose."""
        shown = hits[: NEAREST_SHOWN + 2]
        lines = [
            f"《{h.doc_title}》（{h.doc_number}）{h.clause_path}「{h.heading}」由{'、'.join(h.lead_units) or '（未写明）'}牵头"
            for h in shown
        ]
        text = (
            f"{len({h.doc_id for h in hits})} 个文件都有 {what or q.path}，请在问题中写明文号或文件名称。"
            f"各文件的牵头单位：\n" + "\n".join(lines)
        )
        return Answer(
            question=q.text,
            answer=text,
            intent=WHO_LEADS,
            found=True,
            citations=tuple(Citation.from_hit(h) for h in shown),
            confidence=1.0,
        )

    def _clauses_by_path(self, path: str, flt: SearchFilter) -> list[Hit]:
        return [self.retriever.make_hit(d, c, 1.0) for d, c in self.catalog.clauses_at(path, flt.doc_ids)]

    def _clauses_named_in(self, q: Question, flt: SearchFilter) -> list[Hit]:
        keys = self.catalog.clauses_named_in(q.search_text, flt.doc_ids)
        return [self.retriever.make_hit(d, c, 1.0) for d, c in keys]

    def _clauses_by_heading(self, topic: str, flt: SearchFilter) -> list[Hit]:
        return [self.retriever.make_hit(d, c, 1.0) for d, c in self.catalog.clauses_headed(topic, flt.doc_ids)]

    def _quote_answer(self, q: Question, hits: list[Hit], intent: str, confidence: float, lead: str = "") -> Answer:
        citations = tuple(Citation.from_hit(h) for h in hits)
        first = hits[0]
        body = first.text if len(first.text) <= 160 else "".join(sentences(first.text)[:3])
        text = (lead or f"{Citation.from_hit(first).label}：") + body
        if len(hits) > 1:
            text += "\n另见：" + "；".join(f"{h.clause_path}{h.heading}" for h in hits[1:])
        return Answer(
            question=q.text,
            answer=text,
            intent=intent,
            found=True,
            lead_units=first.lead_units,
            responsible_units=first.responsible_units,
            citations=citations,
            confidence=confidence,
        )

    def _lookup(self, q: Question, conv: Conversation | None, flt: SearchFilter) -> Answer:
        if q.doc_number:
            doc = self._doc_by_number(q.doc_number)
            if doc is not None:
                return self._outline_answer(q, doc)
        hits: list[Hit] = []
        if q.path or q.article:
            hits = self._clauses_by_path(q.path or q.article, flt)
        if not hits:
            hits = self._clauses_by_heading(q.topic, flt)
        if hits:
            answer = self._quote_answer(q, hits[:5], LOOKUP, 1.0, lead=self._many_matches(q, hits))
            return answer
        if q.doc_number:
            return self._refuse(q, [], LOOKUP, 0.0)
        return self._retrieved_answer(q, flt, LOOKUP)

    def _many_matches(self, q: Question, hits: list[Hit]) -> str:
        """What to say before the first of several clauses that share a number or heading."""
        first = f"{Citation.from_hit(hits[0]).label}："
        if len(hits) == 1:
            return first
        documents = len({h.doc_id for h in hits})
        if documents > 1:
            return (
                f"{documents} 个文件中有 {len(hits)} 条编号或标题相符的条款，请在问题中写明文号或文件名称；"
                f"以下列出前 {min(5, len(hits))} 条：\n{first}"
            )
        return f"找到 {len(hits)} 条编号或标题相符的条款（原文编号有重复）：\n{first}"

    def _doc_by_number(self, number: str) -> Document | None:
        doc_id = self.catalog.document_by_number(number)
        return self.documents[doc_id] if doc_id else None

    def _outline_answer(self, q: Question, doc: Document) -> Answer:
        tops = [f"{c.number}{c.heading}" for c in doc.clauses if c.level == 1]
        meta = f"《{doc.title}》（{doc.doc_number}），{doc.issuer}，{doc.date}印发，{doc.validity}。"
        text = meta + ("主要内容：" + "；".join(tops) + "。" if tops else "")
        first = next((c for c in doc.clauses if c.id in ("notice", "preamble")), doc.clauses[0])
        hit = self.retriever.make_hit(doc.doc_id, first.id, 1.0)
        return Answer(
            question=q.text, answer=text, intent=LOOKUP, found=True, citations=(Citation.from_hit(hit),), confidence=1.0
        )

    def _fact(self, q: Question, conv: Conversation | None, flt: SearchFilter) -> Answer:
        meta = self._metadata_fact(q, flt)
        if meta is not None:
            return meta
        heading_hits = self._clauses_by_heading(q.topic, flt) if len(q.topic) <= 8 else []
        if heading_hits:
            return self._quote_answer(q, heading_hits[:3], FACT, 1.0)
        return self._retrieved_answer(q, flt, FACT, key_sentence=True)

    def _metadata_fact(self, q: Question, flt: SearchFilter) -> Answer | None:
        norm = normalize(q.text)
        # the document the question names (see _scoped), or the only one there is
        only = list(self.documents) if len(self.documents) == 1 else []
        scope = flt.doc_ids if len(flt.doc_ids) == 1 else only
        doc = self.documents.get(scope[0]) if scope else None
        if doc is None:
            return None
        if re.search(r"依据|根据哪|上位|省级文件|贯彻落实哪|哪个文件", norm) and doc.references:
            refs = "；".join(f"《{r.title}》" + (f"（{r.doc_number}）" if r.doc_number else "") for r in doc.references)
            clause = next((c for c in doc.clauses if any(r.title in normalize(c.text) for r in doc.references)), None)
            return self._meta_answer(q, doc, clause, f"《{doc.title}》依据：{refs}。")
        if re.search(r"哪天|日期|发文时间|印发时间|什么时候(印发|发布|发的)|哪年(印发|发布|发)", norm) and doc.date:
            return self._meta_answer(
                q, doc, None, f"《{doc.title}》由{doc.issuer}于{doc.date}印发（{doc.doc_number}）。"
            )
        if re.search(r"谁印发|发文机关|发文单位|哪个单位(印发|发布|发)的", norm) and doc.issuer:
            return self._meta_answer(
                q, doc, None, f"《{doc.title}》的发文机关是{doc.issuer}（{doc.doc_number}，{doc.date}）。"
            )
        if re.search(r"还有效|是否有效|有效期|失效|废止", norm):
            note = f"（{doc.validity_note}）" if doc.validity_note else ""
            return self._meta_answer(q, doc, None, f"《{doc.title}》的效力状态：{doc.validity}{note}。")
        if re.search(r"文号", norm) and doc.doc_number:
            return self._meta_answer(q, doc, None, f"《{doc.title}》的文号是{doc.doc_number}。")
        if re.search(r"发给|主送|哪些地方|印发给", norm) and doc.addressees:
            return self._meta_answer(q, doc, None, f"《{doc.title}》主送：{'，'.join(doc.addressees)}。")
        return None

    def _meta_answer(self, q: Question, doc: Document, clause: Clause | None, text: str) -> Answer:
        clause = clause or next((c for c in doc.clauses if c.id == "notice"), doc.clauses[0])
        hit = self.retriever.make_hit(doc.doc_id, clause.id, 1.0)
        return Answer(
            question=q.text, answer=text, intent=FACT, found=True, citations=(Citation.from_hit(hit),), confidence=1.0
        )

    def _support(self, q: Question, conv: Conversation | None, flt: SearchFilter) -> Answer:
        return self._retrieved_answer(q, flt, SUPPORT)

    def _other(self, q: Question, conv: Conversation | None, flt: SearchFilter) -> Answer:
        heading_hits = self._clauses_by_heading(q.topic, flt) if len(q.topic) <= 8 else []
        if heading_hits:
            return self._quote_answer(q, heading_hits[:3], LOOKUP, 1.0)
        return self._retrieved_answer(q, flt, OTHER)

    def _retrieved_answer(self, q: Question, flt: SearchFilter, intent: str, key_sentence: bool = False) -> Answer:
        hits = self._search(q.search_text, flt)
        kept, confidence = self._confident_hits(q, hits)
        if not kept:
            return self._refuse(q, hits, intent, confidence)
        kept = self._heading_first(q, kept)[:3]
        lead = ""
        if key_sentence:
            best = self._key_sentence(q, kept[0])
            if best:
                lead = f"{best}\n（{Citation.from_hit(kept[0]).label}）原文："
        answer = self._quote_answer(q, kept, intent, confidence, lead=lead)
        return answer

    def _heading_first(self, q: Question, hits: list[Hit]) -> list[Hit]:
        """Among confident hits, a clause whose heading names the topic ("人才" → 加大人才支持) goes first."""
        words = [
            t for t in self.retriever.segmenter.cut(q.topic) if len(t) >= 2 and t not in QUESTION_WORDS | GENERIC_WORDS
        ]
        # the kind of support asked for (用地, 融资, 减免…) says more about the clause than who asks (小微企业)
        weight = {w: 2 if SUPPORT_RE.search(w) else 1 for w in words}
        return sorted(hits, key=lambda h: -sum(weight[w] for w in words if w in normalize(h.heading)))

    def _key_sentence(self, q: Question, hit: Hit) -> str:
        """The sentence of the clause that carries the fact asked for (a number, a year, a definition)."""
        tokens = [t for t in self.retriever.segmenter.cut(q.topic) if len(t) >= 2]
        norm_q = normalize(q.text)
        want_number = bool(re.search(r"多少|几|比例|百分", norm_q))
        want_date = bool(re.search(r"什么时候|何时|哪一?年|期限|时限|年底|啥时候", norm_q))
        want_definition = bool(re.search(r"什么是|是什么|指什么|定义|含义|区别", norm_q))
        term = re.search(r"什么(?:是|叫)(.+)$|^(.+?)(?:是什么|指什么|的定义|的含义)", norm_q.rstrip("？?"))
        defined = next((g for g in term.groups() if g), "") if term else ""
        best, best_score = "", 0.0
        for s in sentences(hit.text):
            ns = normalize(s)
            score = sum(1 for t in tokens if t in ns)
            if want_number and re.search(r"\d", ns):
                score += 2
            if want_date and re.search(r"\d{4}年|年底|年内", ns):
                score += 2
            if want_definition and defined and ns.startswith(defined + "是"):
                score += 5
            if score > best_score:
                best, best_score = s, score
        return best

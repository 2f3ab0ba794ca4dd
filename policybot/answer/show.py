"""One document as `policybot show` prints it: its metadata, its validity with the basis, what it cites (resolved to
documents of the corpus) and what cites it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policybot.answer.replies import document_json
from policybot.document import Document
from policybot.retrieve.links import INCOMING_LABELS, RELATION_LABELS, CorpusLinks, Link, RelatedDocument
from policybot.retrieve.validity import Validity


@dataclass(frozen=True, slots=True)
class DocumentCard:
    """A document with its links and its validity in the corpus."""

    doc: Document
    validity: Validity
    references: tuple[Link, ...]
    cited_by: tuple[Link, ...]
    related: tuple[RelatedDocument, ...]
    basis_document: Document | None = None  # the document whose sentence decides the validity

    def to_json(self) -> dict:
        """Metadata, `validity` (status, note, basis sentence and document), `references` and `cited_by`."""
        doc = self.doc
        basis = self.basis_document
        validity = self.validity.to_json()
        validity["basis_title"] = basis.title if basis else ""
        validity["basis_doc_number"] = basis.doc_number if basis else ""
        return {
            **document_json(doc),  # the metadata as /api/documents lists it, with the validity in full
            "validity": validity,
            "references": [link.to_json() for link in self.references],
            "cited_by": [_incoming_json(link) for link in self.cited_by],
        }


def _incoming_json(link: Link) -> dict:
    """A citing document, named by its doc id, with what it does to this one and the sentence that does it."""
    return {"doc_id": link.citing_doc_id, "relation": link.relation, "sentence": link.sentence}


def document_card(
    doc: Document, documents: Mapping[str, Document], links: CorpusLinks, validity: Mapping[str, Validity]
) -> DocumentCard:
    """The card of one document of the corpus."""
    status = validity[doc.doc_id]
    return DocumentCard(
        doc=doc,
        validity=status,
        references=links.references(doc.doc_id),
        cited_by=links.cited_by(doc.doc_id),
        related=tuple(links.related_documents(doc.doc_id)),
        basis_document=documents.get(status.basis_doc_id) if status.basis_doc_id else None,
    )


def card_text(card: DocumentCard, documents: Mapping[str, Document]) -> str:
    """The card as lines for a terminal."""
    doc, v = card.doc, card.validity
    lines = [
        doc.title,
        f"{doc.doc_number}  {doc.issuer}  {doc.date}",
        f"效力：{v.status}" + (f"（{v.note}）" if v.note else ""),
    ]
    if v.basis_sentence:
        lines.append(f"  依据：{v.basis_sentence}")
    for link in card.references:
        where = f" → {link.doc_id}" if link.in_corpus else "（不在语料中）"
        lines.append(f"{RELATION_LABELS[link.relation]}：《{link.title}》{link.doc_number}{where}")
    for link in card.cited_by:
        citing = documents.get(link.citing_doc_id)
        name = f"《{citing.title}》{citing.doc_number}" if citing else link.citing_doc_id
        lines.append(f"{INCOMING_LABELS[link.relation]}：{name}")
    return "\n".join(lines)

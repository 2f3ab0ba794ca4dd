"""What several tabs look up: the documents to choose from, the issuers, a clause by its ids."""

from __future__ import annotations

from dataclasses import dataclass

from policybot.bot import PolicyBot
from policybot.document import Clause, Document

ALL_ISSUERS = "（全部发文机关）"


@dataclass(frozen=True, slots=True)
class DocumentLists:
    """The choices the page starts with: (label, doc_id) of each document, and the issuers."""

    documents: list[tuple[str, str]]
    issuers: list[str]


def document_label(doc: Document) -> str:
    """'title（文号）', or the title alone."""
    return f"{doc.title}（{doc.doc_number}）" if doc.doc_number else doc.title


def doc_choices(bot: PolicyBot) -> list[tuple[str, str]]:
    """(label, doc_id) of every indexed document, newest first."""
    return [(document_label(d), d.doc_id) for d in bot.documents()]


def issuer_choices(bot: PolicyBot) -> list[str]:
    """ALL_ISSUERS, then each issuer the documents name, once."""
    return [ALL_ISSUERS, *dict.fromkeys(d.issuer for d in bot.documents() if d.issuer)]


def starting_lists(bot: PolicyBot) -> DocumentLists:
    """The lists as the page is built: empty while the index is still loading (opening the page fills them)."""
    if not bot.is_loaded:
        return DocumentLists([], [ALL_ISSUERS])
    return DocumentLists(doc_choices(bot), issuer_choices(bot))


def find_clause(bot: PolicyBot, doc_id: str | None, clause_id: str | None) -> tuple[Document, Clause] | None:
    """The document and clause with these ids, or None when either is not in the index."""
    doc = bot.index.documents.get(doc_id or "")
    if doc is None:
        return None
    try:
        return doc, doc.clause(clause_id or "")
    except KeyError:
        return None


def refreshed_lists(bot: PolicyBot) -> tuple:
    """Gradio updates for the page's document lists after the index changed, in the order the app wires them:
    条款检索's documents and issuers, 文件浏览's documents, 文件管理's documents to delete."""
    import gradio as gr  # here only: the rest of this module serves handlers that tests call without Gradio

    docs = doc_choices(bot)
    return (
        gr.update(choices=docs),
        gr.update(choices=issuer_choices(bot)),
        gr.update(choices=docs),
        gr.update(choices=docs, value=None),
    )

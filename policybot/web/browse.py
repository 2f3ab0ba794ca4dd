"""The 文件浏览 tab: a document's metadata and its clause tree; clicking a clause in the tree shows it in full."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from policybot.bot import PolicyBot
from policybot.web.lookup import find_clause
from policybot.web.render import clause_markdown, document_markdown, tree_choices


@dataclass(frozen=True, slots=True)
class DocumentView:
    """What the tab shows for a chosen document: its metadata and the tree's entries (label, clause id)."""

    markdown: str
    tree: list[tuple[str, str]]


def show_document(bot: PolicyBot, doc_id: str | None) -> DocumentView:
    """The chosen document's metadata and clause tree; a prompt to choose one when none (or an unknown one) is."""
    doc = bot.index.documents.get(doc_id or "")
    if doc is None:
        return DocumentView("请选择一个文件。", [])
    return DocumentView(document_markdown(doc), tree_choices(doc))


def show_clause(bot: PolicyBot, doc_id: str | None, clause_id: str | None) -> str:
    """One clause in full with its units, or nothing when it is not in the index."""
    found = find_clause(bot, doc_id, clause_id)
    return clause_markdown(*found) if found else ""


def browse_tab(bot: PolicyBot, documents: list[tuple[str, str]]) -> gr.Dropdown:
    """Lay out the 文件浏览 tab and wire its handlers; returns its document list (refreshed by others)."""
    with gr.Tab("文件浏览", id="browse"):
        doc = gr.Dropdown(documents, label="选择文件", value=None, elem_id="browse-doc")
        doc_meta = gr.Markdown(elem_id="browse-meta")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=280):
                tree = gr.Radio([], label="目录（点击条款查看全文）", elem_id="browse-tree", elem_classes="clause-tree")
            with gr.Column(scale=1, min_width=280):
                clause_detail = gr.Markdown(elem_id="clause-detail")

    def choose_document(doc_id: str | None) -> tuple:
        view = show_document(bot, doc_id)
        return view.markdown, gr.update(choices=view.tree, value=None), ""

    def choose_clause(doc_id: str | None, clause_id: str | None) -> str:
        return show_clause(bot, doc_id, clause_id)

    doc.change(choose_document, doc, [doc_meta, tree, clause_detail], api_visibility="private")
    tree.input(choose_clause, [doc, tree], clause_detail, api_visibility="private")
    return doc

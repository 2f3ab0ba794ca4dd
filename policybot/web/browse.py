"""The 文件浏览 tab: a document's metadata, its validity with the basis, the documents linked to it (上位/下位文件,
what repeals or revises it) as links, and its clause tree; clicking a clause in the tree shows it in full."""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr

from policybot.bot import PolicyBot
from policybot.retrieve.links import Link, RelatedDocument
from policybot.retrieve.validity import Validity
from policybot.web.lookup import find_clause
from policybot.web.render import clause_markdown, document_markdown, esc_md, tree_choices


@dataclass(frozen=True, slots=True)
class DocumentView:
    """What the tab shows for a chosen document: its metadata and the tree's entries (label, clause id)."""

    markdown: str
    tree: list[tuple[str, str]]
    related: list[tuple[str, str]] = field(default_factory=list)  # (label, doc id) of the linked documents


def show_document(bot: PolicyBot, doc_id: str | None) -> DocumentView:
    """The chosen document's metadata, validity, links and clause tree; a prompt to choose one when none (or an
    unknown one) is."""
    doc = bot.index.documents.get(doc_id or "")
    if doc is None:
        return DocumentView("请选择一个文件。", [])
    validity = bot.validity_of(doc.doc_id)
    related = bot.related_documents(doc.doc_id)
    outside = [link for link in bot.links.references(doc.doc_id) if not link.in_corpus]
    markdown = document_markdown(doc) + links_markdown(bot, validity, related, outside)
    return DocumentView(markdown, tree_choices(doc), related_choices(bot, validity, related))


def links_markdown(bot: PolicyBot, validity: Validity, related: list[RelatedDocument], outside: list[Link]) -> str:
    """The basis of the validity, the linked documents grouped by how they are linked (with the sentence that links
    them), and the cited documents the corpus does not hold."""
    lines = []
    if validity.basis_sentence:
        lines.append(f"- **效力依据**：{esc_md(validity.note)}：“{esc_md(validity.basis_sentence)}”")
    current = bot.index.documents.get(validity.current_version)
    if current is not None:
        lines.append(f"- **现行版本**：《{esc_md(current.title)}》（{esc_md(current.date)}）")
    if related:
        lines.append("\n### 相关文件（在下方点击打开）")
        lines += [
            f"- **{r.relation}**：《{esc_md(r.title)}》{esc_md(r.doc_number)} — {esc_md(r.sentence)}" for r in related
        ]
    if outside:
        named = "；".join(f"《{esc_md(link.title)}》{esc_md(link.doc_number)}" for link in outside)
        lines.append(f"- **语料中未收录**：{named}")
    return "\n" + "\n".join(lines) if lines else ""


def related_choices(bot: PolicyBot, validity: Validity, related: list[RelatedDocument]) -> list[tuple[str, str]]:
    """The linked documents as entries to click (label, doc id), the version in force first."""
    choices = [(f"{r.relation}：《{r.title}》{r.doc_number}", r.doc_id) for r in related]
    current = bot.index.documents.get(validity.current_version)
    if current is not None and all(doc_id != current.doc_id for _, doc_id in choices):
        choices.insert(0, (f"现行版本：《{current.title}》{current.doc_number}", current.doc_id))
    first_label: dict[str, str] = {}
    for label, doc_id in choices:  # a document linked twice (cited and repealed) is one entry
        first_label.setdefault(doc_id, label)
    return [(label, doc_id) for doc_id, label in first_label.items()]


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
                related = gr.Radio([], label="相关文件（点击打开）", elem_id="browse-related", visible=False)
                tree = gr.Radio([], label="目录（点击条款查看全文）", elem_id="browse-tree", elem_classes="clause-tree")
            with gr.Column(scale=1, min_width=280):
                clause_detail = gr.Markdown(elem_id="clause-detail")

    def choose_document(doc_id: str | None) -> tuple:
        view = show_document(bot, doc_id)
        links = gr.update(choices=view.related, value=None, visible=bool(view.related))
        return view.markdown, links, gr.update(choices=view.tree, value=None), ""

    def choose_clause(doc_id: str | None, clause_id: str | None) -> str:
        return show_clause(bot, doc_id, clause_id)

    doc.change(choose_document, doc, [doc_meta, related, tree, clause_detail], api_visibility="private")
    related.input(lambda linked: gr.update(value=linked), related, doc, api_visibility="private")
    tree.input(choose_clause, [doc, tree], clause_detail, api_visibility="private")
    return doc

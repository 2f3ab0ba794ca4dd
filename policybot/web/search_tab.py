"""The 条款检索 tab: hybrid search with document, issuer and year filters; a hit opens its clause in full."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from policybot.bot import PolicyBot
from policybot.errors import PolicyBotError
from policybot.retrieve.hybrid import SearchFilter
from policybot.web.lookup import ALL_ISSUERS, DocumentLists, find_clause
from policybot.web.render import clause_markdown, clause_title, error_md, hits_markdown

ClauseKey = tuple[str, str]  # (doc_id, clause_id)


@dataclass(frozen=True, slots=True)
class SearchView:
    """What the tab shows after a search: the hits, the choices that open a hit, a hint, and the hits' clauses."""

    markdown: str
    choices: list[tuple[str, int]]
    hint: str
    keys: list[ClauseKey]


def search_filter(
    doc_ids: list[str] | None, issuer: str | None, year_from: float | None, year_to: float | None
) -> SearchFilter:
    """The filter the form describes: no document, ALL_ISSUERS and a blank or 0 year mean no limit."""
    return SearchFilter(
        doc_ids=tuple(doc_ids or ()),
        issuers=(issuer,) if issuer and issuer != ALL_ISSUERS else (),
        date_from=f"{int(year_from):04d}-01-01" if year_from else "",
        date_to=f"{int(year_to):04d}-12-31" if year_to else "",
    )


def run_search(
    bot: PolicyBot,
    query: str,
    k: float,
    doc_ids: list[str] | None = None,
    issuer: str | None = ALL_ISSUERS,
    year_from: float | None = None,
    year_to: float | None = None,
) -> SearchView:
    """Search the clauses with the form's filters; an input error is shown in place of the hits."""
    try:
        result = bot.search(query, int(k), search_filter(doc_ids, issuer, year_from, year_to))
    except PolicyBotError as exc:
        return SearchView(error_md(exc), [], "", [])
    keys = [(h.doc_id, h.clause_id) for h in result.hits]
    choices = [(f"{i}. {clause_title(h.clause_path, h.heading)}", i - 1) for i, h in enumerate(result.hits, 1)]
    return SearchView(hits_markdown(result), choices, "点击上方结果查看条款全文。" if keys else "", keys)


def show_hit(bot: PolicyBot, position: int | None, keys: list[ClauseKey] | None) -> str:
    """The clause of the chosen hit in full (a note when it left the index since the search)."""
    if position is None or not 0 <= int(position) < len(keys or []):
        return ""
    found = find_clause(bot, *keys[int(position)])
    return clause_markdown(*found) if found else "⚠️ 该条款已不在索引中，请重新检索。"


def search_tab(bot: PolicyBot, lists: DocumentLists) -> tuple[gr.Dropdown, gr.Dropdown]:
    """Lay out the 条款检索 tab and wire its handlers; returns its document and issuer lists (refreshed by others)."""
    with gr.Tab("条款检索", id="search"):
        with gr.Row():
            query = gr.Textbox(label="检索词", placeholder="例如：人地挂钩", scale=4, elem_id="query")
            k = gr.Slider(1, 20, value=5, step=1, label="返回条数", scale=1)
        with gr.Row():
            docs = gr.Dropdown(lists.documents, multiselect=True, label="限定文件", value=[])
            issuer = gr.Dropdown(lists.issuers, label="发文机关", value=ALL_ISSUERS)
            year_from = gr.Number(label="起始年份（留空或 0 表示不限）", precision=0)
            year_to = gr.Number(label="截止年份（留空或 0 表示不限）", precision=0)
        button = gr.Button("检索", variant="primary", elem_id="search-button")
        hits_md = gr.Markdown(elem_id="hits")
        hit_keys = gr.State([])
        hit_pick = gr.Radio([], label="查看条款全文", elem_id="hit-pick")
        hit_detail = gr.Markdown(elem_id="hit-detail")

    def search_clicked(query_text: str, count: float, doc_ids, issuer_name, start, end) -> tuple:
        view = run_search(bot, query_text, count, doc_ids, issuer_name, start, end)
        return view.markdown, gr.update(choices=view.choices, value=None), view.hint, view.keys

    def pick(position: int | None, keys: list) -> str:
        return show_hit(bot, position, keys)

    search_in = [query, k, docs, issuer, year_from, year_to]
    search_out = [hits_md, hit_pick, hit_detail, hit_keys]
    button.click(search_clicked, search_in, search_out, api_visibility="private")
    query.submit(search_clicked, search_in, search_out, api_visibility="private")
    hit_pick.input(pick, [hit_pick, hit_keys], hit_detail, api_visibility="private")
    return docs, issuer

"""The Gradio page: one tab per module (chat, search_tab, browse, ledger_tab, selfcheck_tab, admin), assembled here,
with the `ask` and `search` endpoints gradio_client calls."""

from __future__ import annotations

import gradio as gr

from policybot.bot import PolicyBot
from policybot.errors import PolicyBotError
from policybot.web.access import AdminGuard
from policybot.web.admin import SEMANTIC_REFRESH_SECONDS, admin_tab, semantic_status_md
from policybot.web.browse import browse_tab
from policybot.web.chat import chat_tab
from policybot.web.ledger_tab import ledger_tab
from policybot.web.lookup import refreshed_lists, starting_lists
from policybot.web.render import answer_markdown
from policybot.web.search_tab import search_tab
from policybot.web.selfcheck_tab import selfcheck_tab

TITLE = "PolicyBot 政策文件问答"
UPLOAD_CACHE_SECONDS = (3600, 3600)  # every hour, delete uploaded files older than an hour
# Gradio floats a block's label over its top edge; in a scrolled chat it covered the first line of an answer.
# A clause tree is a long list: one entry per line, left-aligned, instead of chips wrapping side by side.
PAGE_CSS = """
#browse-tree .wrap { flex-direction: column; align-items: stretch; gap: 2px; }
#browse-tree label { justify-content: flex-start; white-space: pre-wrap; text-align: left; }
@media (max-width: 640px) { #chatbot { height: 60vh !important; } }
"""


def ask_markdown(bot: PolicyBot, question: str) -> str:
    """An answer and its citations as Markdown quotes (the /ask endpoint); gr.Error with the reason it was refused."""
    try:
        return answer_markdown(bot.ask(question), details=False)
    except PolicyBotError as exc:
        raise gr.Error(str(exc)) from exc


def search_hits(bot: PolicyBot, query: str, k: int = 5) -> list[dict]:
    """The k best hits as JSON (the /search endpoint); gr.Error with the reason it was refused."""
    try:
        return [h.to_json() for h in bot.search(query, int(k)).hits]
    except PolicyBotError as exc:
        raise gr.Error(str(exc)) from exc


def add_endpoints(bot: PolicyBot) -> None:
    """The `ask` and `search` endpoints of gradio_client (inside the app's gr.Blocks())."""

    def ask(question: str) -> str:
        """回答一个关于政策文件的问题：答案及其依据条款（Markdown）。"""
        return ask_markdown(bot, question)

    def search(query: str, k: int = 5) -> list[dict]:
        """检索条款：返回最相关的 k 条，每条含文件、文号、条款编号、标题、全文、得分和牵头/责任单位。"""
        return search_hits(bot, query, k)

    gr.api(ask, api_name="ask")
    gr.api(search, api_name="search")


def build_app(bot: PolicyBot) -> gr.Blocks:
    """The Gradio page over one PolicyBot: six tabs, and the `ask` and `search` endpoints."""
    guard = AdminGuard(bot.settings.admin_password)
    lists = starting_lists(bot)
    # uploads land in Gradio's cache before a handler sees them (anyone may post there): an hour's worth is kept
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=UPLOAD_CACHE_SECONDS) as demo:
        gr.Markdown(f"# {TITLE}\n回答均引自已收录的政策文件原文，并注明出处；未找到依据时如实说明。")
        # while a build embeds, keyword search covers every document and the page says how far meaning has got
        semantic = gr.Markdown(elem_id="semantic-status")
        with gr.Tabs():
            chat_tab(bot)
            search_docs, search_issuer = search_tab(bot, lists)
            browse_doc = browse_tab(bot, lists.documents)
            ledger_tab(bot)
            selfcheck_tab(bot)
            delete_doc = admin_tab(bot, guard, lists.documents, [search_docs, search_issuer, browse_doc])
        add_endpoints(bot)
        # the lists start empty while the index loads: each page fills them when it opens
        demo.load(
            lambda: refreshed_lists(bot),
            None,
            [search_docs, search_issuer, browse_doc, delete_doc],
            api_visibility="private",
        )
        demo.load(lambda: semantic_status_md(bot), None, semantic, api_visibility="private")
        gr.Timer(SEMANTIC_REFRESH_SECONDS).tick(
            lambda: semantic_status_md(bot), None, semantic, api_visibility="private", show_progress="hidden"
        )
    return demo

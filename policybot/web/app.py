"""The web app: 政策问答, 条款检索, 文件浏览, 惠企政策自查 and 文件管理 tabs, plus the /ask and /search API."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import gradio as gr

from policybot.access import ADMIN_DISABLED, AdminGuard
from policybot.answer import Conversation
from policybot.bot import PolicyBot, check_upload_size, clean_question, megabytes, safe_upload_name
from policybot.document import Clause, Document
from policybot.embed import prefer_passive_openmp
from policybot.errors import AccessDenied, PolicyBotError
from policybot.ledger_tab import ledger_tab
from policybot.loaders import SUPPORTED_SUFFIXES
from policybot.render import (
    answer_markdown,
    benefits_markdown,
    clause_choices,
    clause_markdown,
    document_markdown,
    documents_table,
    error_md,
    esc_md,
    hits_markdown,
    preview_markdown,
    tree_markdown,
)
from policybot.retrieve import SearchFilter
from policybot.settings import Settings

log = logging.getLogger(__name__)

EXAMPLES = (
    "加大用地支持由哪个单位牵头？",
    "市自然资源局牵头哪些工作？",
    "企业落户特色小镇能享受哪些优惠？",
    "三（二）",
    "遵府办函〔2020〕141号",
    "什么是特色小镇",
    "明天天气怎么样",
)
ALL_ISSUERS = "（全部发文机关）"
YES_NO = {"是": True, "否": False, "不确定": None}
NEEDS = ("用地", "融资", "资金", "人才", "税收")
SHOWN_CHARS = 600  # of a user's question echoed in the chat
UPLOAD_CAP_FACTOR = 4  # Gradio's own upload cap, as a multiple of settings.max_upload_bytes (see upload_cap)
UPLOAD_CACHE_SECONDS = (3600, 3600)  # every hour, delete uploaded files older than an hour


def client_of(request: gr.Request | None) -> str:
    """Who is asking, for the password rate limit: the client address (the session when unknown)."""
    if request is not None and request.client is not None and request.client.host:
        return request.client.host
    return getattr(request, "session_hash", None) or "unknown"


def upload_cap(settings: Settings) -> int:
    """The hard cap to give Gradio's launch(max_file_size=...): above settings.max_upload_bytes, so an upload over
    our limit still reaches the handlers and is refused with its name and the limit; Gradio cuts off larger ones."""
    return UPLOAD_CAP_FACTOR * settings.max_upload_bytes


def read_upload(path: str, limit: int) -> tuple[str, bytes]:
    """The name and bytes of an uploaded file; DocumentError naming the file when its type or size is refused
    (both checked before the file is read)."""
    file = Path(path)
    name = safe_upload_name(file.name)
    check_upload_size(name, file.stat().st_size, limit)
    return name, file.read_bytes()


# --- the app ----------------------------------------------------------------------


def build_app(bot: PolicyBot) -> gr.Blocks:
    """The Gradio app over one PolicyBot: five tabs and the `ask` and `search` API endpoints."""
    guard = AdminGuard(bot.settings.admin_password)

    def doc_choices() -> list[tuple[str, str]]:
        return [(f"{d.title}（{d.doc_number}）" if d.doc_number else d.title, d.doc_id) for d in bot.documents()]

    def issuer_choices() -> list[str]:
        return [ALL_ISSUERS, *dict.fromkeys(d.issuer for d in bot.documents() if d.issuer)]

    def find_clause(doc_id: str | None, clause_id: str | None) -> tuple[Document, Clause] | None:
        doc = bot.index.documents.get(doc_id or "")
        if doc is None:
            return None
        try:
            return doc, doc.clause(clause_id or "")
        except KeyError:
            return None

    # ---- 政策问答
    def respond(question: str, history: list | None, conversation: Conversation | None):
        history = list(history or [])
        conversation = conversation if conversation is not None else Conversation()
        shown = question if len(question or "") <= SHOWN_CHARS else question[:SHOWN_CHARS] + "…"
        history.append({"role": "user", "content": esc_md(shown)})
        try:
            reply = answer_markdown(bot.ask(question, conversation))
        except PolicyBotError as exc:
            reply = error_md(exc)
        history.append({"role": "assistant", "content": reply})
        return history, conversation, ""

    # ---- 条款检索
    def run_search(query: str, k: float, doc_ids: list[str] | None, issuer: str | None, year_from, year_to):
        empty = gr.update(choices=[], value=None)
        try:
            flt = SearchFilter(
                doc_ids=tuple(doc_ids or ()),
                issuers=(issuer,) if issuer and issuer != ALL_ISSUERS else (),
                date_from=f"{int(year_from):04d}-01-01" if year_from else "",
                date_to=f"{int(year_to):04d}-12-31" if year_to else "",
            )
            result = bot.search(query, int(k), flt)
        except PolicyBotError as exc:
            return error_md(exc), empty, "", []
        keys = [(h.doc_id, h.clause_id) for h in result.hits]
        choices = [(f"{i}. {h.clause_path} {h.heading}".strip(), i - 1) for i, h in enumerate(result.hits, 1)]
        hint = "点击上方结果查看条款全文。" if keys else ""
        return hits_markdown(result), gr.update(choices=choices, value=None), hint, keys

    def show_hit(position: int | None, keys: list) -> str:
        if position is None or not 0 <= int(position) < len(keys or []):
            return ""
        found = find_clause(*keys[int(position)])
        return clause_markdown(*found) if found else "⚠️ 该条款已不在索引中，请重新检索。"

    # ---- 文件浏览
    def show_document(doc_id: str | None):
        doc = bot.index.documents.get(doc_id or "")
        if doc is None:
            return "请选择一个文件。", "", gr.update(choices=[], value=None), ""
        return document_markdown(doc), tree_markdown(doc), gr.update(choices=clause_choices(doc), value=None), ""

    def show_clause(doc_id: str | None, clause_id: str | None) -> str:
        found = find_clause(doc_id, clause_id)
        return clause_markdown(*found) if found else ""

    # ---- 惠企政策自查
    def run_self_check(industry, in_town, size, encouraged, talent, needs, description) -> str:
        try:
            from policybot.selfcheck import EnterpriseProfile, merge_profiles, profile_from_text
        except ImportError as exc:
            log.warning("self-check unavailable: %s", exc)
            return "⚠️ 惠企政策自查功能暂不可用（selfcheck 模块未就绪）。"
        try:
            description = clean_question(description, bot.settings.max_question_chars * 4) if description else ""
            profile = EnterpriseProfile(
                industry=(industry or "").strip(),
                in_town=YES_NO.get(in_town),
                size="" if size in (None, "不确定") else size,
                encouraged_industry=YES_NO.get(encouraged),
                talent=YES_NO.get(talent),
                needs=tuple(needs or ()),
                description=description,
            )
            if description:
                profile = merge_profiles(profile, profile_from_text(description))
            return benefits_markdown(bot.self_check(profile))
        except PolicyBotError as exc:
            return error_md(exc)

    # ---- 文件管理 (every handler checks the password again)
    def refreshed(table: bool = True) -> tuple:
        docs = doc_choices()
        updates = (
            gr.update(choices=docs),  # 条款检索: documents
            gr.update(choices=issuer_choices()),  # 条款检索: issuer
            gr.update(choices=docs),  # 文件浏览
            gr.update(choices=docs, value=None),  # 文件管理: delete
        )
        return (*updates, documents_table(bot.documents())) if table else updates

    def admin_login(password: str, request: gr.Request):
        try:
            guard.check(client_of(request), password)
        except AccessDenied as exc:
            return error_md(exc), gr.update(visible=False), ""
        return "✅ 已验证管理员身份。", gr.update(visible=True), documents_table(bot.documents())

    def admin_preview(password: str, path: str | None, request: gr.Request) -> str:
        try:
            guard.check(client_of(request), password)
            if not path:
                return "请先选择要上传的文件。"
            return preview_markdown(bot.preview(*read_upload(path, bot.settings.max_upload_bytes)))
        except PolicyBotError as exc:
            return error_md(exc)

    def admin_add(password: str, path: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - gradio idiom
        try:
            guard.check(client_of(request), password)
            if not path:
                return "请先选择要上传的文件。", *refreshed()
            name, data = read_upload(path, bot.settings.max_upload_bytes)
            doc = bot.add_document(name, data, lambda f, m: progress(f, desc=m))
        except PolicyBotError as exc:
            return error_md(exc), *(gr.update(),) * 5
        log.info("admin added %s (%s)", doc.source, doc.doc_id)
        number = f"（{esc_md(doc.doc_number)}）" if doc.doc_number else ""
        return f"✅ 已加入索引：《{esc_md(doc.title)}》{number}，{len(doc.clauses)} 条条款。", *refreshed()

    def admin_delete(password: str, doc_id: str | None, confirm: bool, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - gradio idiom
        try:
            guard.check(client_of(request), password)
            if not doc_id:
                return "请选择要删除的文件。", gr.update(), *(gr.update(),) * 5
            if not confirm:
                return "请先勾选“确认删除”。", gr.update(), *(gr.update(),) * 5
            title = bot.index.documents[doc_id].title if doc_id in bot.index.documents else doc_id
            bot.delete_document(doc_id, lambda f, m: progress(f, desc=m))
        except PolicyBotError as exc:
            return error_md(exc), gr.update(), *(gr.update(),) * 5
        log.info("admin deleted %s", doc_id)
        return f"✅ 已删除《{esc_md(title)}》。", gr.update(value=False), *refreshed()

    # ---- API (plain functions; also what gradio_client calls)
    def ask(question: str) -> str:
        """回答一个关于政策文件的问题：答案及其依据条款（Markdown）。"""
        try:
            return answer_markdown(bot.ask(question), details=False)
        except PolicyBotError as exc:
            raise gr.Error(str(exc)) from exc

    def search(query: str, k: int = 5) -> list[dict]:
        """检索条款：返回最相关的 k 条，每条含文件、文号、条款编号、标题、全文、得分和牵头/责任单位。"""
        try:
            return [h.to_json() for h in bot.search(query, int(k)).hits]
        except PolicyBotError as exc:
            raise gr.Error(str(exc)) from exc

    # before the index is loaded the lists start empty; demo.load fills them when a page opens
    docs, issuers = (doc_choices(), issuer_choices()) if bot.is_loaded else ([], [ALL_ISSUERS])
    limit_mb = megabytes(bot.settings.max_upload_bytes)
    # uploads land in Gradio's cache before a handler sees them (anyone may post there): an hour's worth is kept
    with gr.Blocks(title="PolicyBot 政策文件问答", analytics_enabled=False, delete_cache=UPLOAD_CACHE_SECONDS) as demo:
        gr.Markdown("# PolicyBot 政策文件问答\n回答均引自已收录的政策文件原文，并注明出处；未找到依据时如实说明。")
        with gr.Tabs():
            with gr.Tab("政策问答", id="chat"):
                chatbot = gr.Chatbot(label="对话", height=480, elem_id="chatbot", feedback_options=None)
                conversation = gr.State(Conversation())
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="例如：加大用地支持由哪个单位牵头？", show_label=False, scale=5, elem_id="question"
                    )
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
                gr.Markdown("**示例问题（点击即问）**：")
                with gr.Row():
                    example_buttons = [gr.Button(q, size="sm") for q in EXAMPLES]
                clear = gr.Button("清空对话", size="sm")
            with gr.Tab("条款检索", id="search"):
                with gr.Row():
                    query = gr.Textbox(label="检索词", placeholder="例如：人地挂钩", scale=4, elem_id="query")
                    k = gr.Slider(1, 20, value=5, step=1, label="返回条数", scale=1)
                with gr.Row():
                    search_docs = gr.Dropdown(docs, multiselect=True, label="限定文件", value=[])
                    search_issuer = gr.Dropdown(issuers, label="发文机关", value=ALL_ISSUERS)
                    year_from = gr.Number(label="起始年份（留空或 0 表示不限）", precision=0)
                    year_to = gr.Number(label="截止年份（留空或 0 表示不限）", precision=0)
                search_button = gr.Button("检索", variant="primary", elem_id="search-button")
                hits_md = gr.Markdown(elem_id="hits")
                hit_keys = gr.State([])
                hit_pick = gr.Radio([], label="查看条款全文", elem_id="hit-pick")
                hit_detail = gr.Markdown(elem_id="hit-detail")
            with gr.Tab("文件浏览", id="browse"):
                browse_doc = gr.Dropdown(docs, label="选择文件", value=None, elem_id="browse-doc")
                with gr.Row():
                    with gr.Column(scale=1):
                        doc_meta = gr.Markdown(elem_id="browse-meta")
                        doc_tree = gr.Markdown(elem_id="browse-tree")
                    with gr.Column(scale=1):
                        browse_clause = gr.Dropdown([], label="选择条款", value=None, elem_id="browse-clause")
                        clause_detail = gr.Markdown(elem_id="clause-detail")
            ledger_tab(bot)  # 任务分工
            with gr.Tab("惠企政策自查", id="selfcheck"):
                gr.Markdown("填写企业情况，查看可能适用的惠企条款、适用条件和联系单位。不确定的项可留空。")
                with gr.Row():
                    industry = gr.Textbox(
                        label="所属行业", placeholder="例如：特色食品加工", elem_id="selfcheck-industry"
                    )
                    size = gr.Radio(["小微", "中型", "大型", "不确定"], value="不确定", label="企业规模")
                with gr.Row():
                    in_town = gr.Radio(
                        list(YES_NO),
                        value="不确定",
                        label="是否位于（或将落户）特色小镇/小城镇",
                        elem_id="selfcheck-in-town",
                    )
                    encouraged = gr.Radio(
                        list(YES_NO), value="不确定", label="是否属于《产业结构调整指导目录》鼓励类产业"
                    )
                    talent = gr.Radio(
                        list(YES_NO), value="不确定", label="是否引进高层次人才（硕士及以上或副高及以上）"
                    )
                needs = gr.CheckboxGroup(list(NEEDS), label="主要需求", elem_id="selfcheck-needs")
                description = gr.Textbox(
                    label="补充说明（可选）",
                    lines=3,
                    placeholder="例如：我们是小微食品企业，准备落户特色小镇，需要贷款",
                )
                check_button = gr.Button("开始自查", variant="primary", elem_id="selfcheck-button")
                benefits_md = gr.Markdown(elem_id="benefits")
            with gr.Tab("文件管理", id="admin"):
                if not guard.enabled:
                    gr.Markdown(f"⚠️ {esc_md(ADMIN_DISABLED)}", elem_id="admin-disabled")
                with gr.Row(visible=guard.enabled):
                    password = gr.Textbox(label="管理员密码", type="password", scale=4, elem_id="admin-password")
                    login = gr.Button("验证", scale=1, elem_id="admin-login")
                admin_status = gr.Markdown(elem_id="admin-status")
                with gr.Column(visible=False) as admin_panel:
                    # any file is accepted here: the handlers refuse other types and oversized files with a
                    # message naming the file (Gradio's own file_types check says only "Invalid file type")
                    upload = gr.File(
                        label=f"上传文件（{'、'.join(SUPPORTED_SUFFIXES)}；不超过 {limit_mb} MB）",
                        type="filepath",
                        elem_id="admin-upload",
                    )
                    preview_md = gr.Markdown(elem_id="admin-preview")
                    add_button = gr.Button("加入索引", variant="primary", elem_id="admin-add")
                    with gr.Row():
                        delete_doc = gr.Dropdown(docs, label="删除文件", value=None, scale=3)
                        confirm = gr.Checkbox(label="确认删除", value=False, scale=1)
                        delete_button = gr.Button("删除", variant="stop", scale=1)
                    docs_table = gr.Markdown(elem_id="admin-docs")

        gr.api(ask, api_name="ask")
        gr.api(search, api_name="search")

        chat_out = [chatbot, conversation, question]
        send.click(respond, [question, chatbot, conversation], chat_out, api_name="chat", api_visibility="undocumented")
        question.submit(respond, [question, chatbot, conversation], chat_out, api_visibility="private")
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(
                lambda h, c, text=text: respond(text, h, c), [chatbot, conversation], chat_out, api_visibility="private"
            )
        clear.click(lambda: ([], Conversation(), ""), None, chat_out, api_visibility="private")

        search_in = [query, k, search_docs, search_issuer, year_from, year_to]
        search_out = [hits_md, hit_pick, hit_detail, hit_keys]
        search_button.click(run_search, search_in, search_out, api_visibility="private")
        query.submit(run_search, search_in, search_out, api_visibility="private")
        hit_pick.input(show_hit, [hit_pick, hit_keys], hit_detail, api_visibility="private")

        browse_doc.change(
            show_document, browse_doc, [doc_meta, doc_tree, browse_clause, clause_detail], api_visibility="private"
        )
        browse_clause.input(show_clause, [browse_doc, browse_clause], clause_detail, api_visibility="private")

        check_button.click(
            run_self_check,
            [industry, in_town, size, encouraged, talent, needs, description],
            benefits_md,
            api_visibility="private",
        )

        # admin endpoints stay callable (undocumented) so the server-side checks can be tested through HTTP
        lists = [search_docs, search_issuer, browse_doc, delete_doc, docs_table]
        login.click(
            admin_login,
            password,
            [admin_status, admin_panel, docs_table],
            api_name="admin_login",
            api_visibility="undocumented",
        )
        password.submit(admin_login, password, [admin_status, admin_panel, docs_table], api_visibility="private")
        upload.upload(
            admin_preview, [password, upload], preview_md, api_name="admin_preview", api_visibility="undocumented"
        )
        add_button.click(
            admin_add, [password, upload], [admin_status, *lists], api_name="admin_add", api_visibility="undocumented"
        )
        delete_button.click(
            admin_delete,
            [password, delete_doc, confirm],
            [admin_status, confirm, *lists],
            api_name="admin_delete",
            api_visibility="undocumented",
        )
        demo.load(lambda: refreshed(table=False), None, lists[:4], api_visibility="private")
    return demo


def serve(settings: Settings) -> None:
    """Build or update the index (progress on the console), then serve the app on settings.host:settings.port."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    prefer_passive_openmp()  # while only this thread runs: the server's threads start below
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own startup requests
    bot = PolicyBot(settings)

    def progress(fraction: float, message: str) -> None:
        log.info("索引 %3.0f%% %s", fraction * 100, message)

    log.info("检查索引：语料 %s，索引 %s", settings.corpus_dir, settings.index_dir)
    if bot.index_is_current():
        log.info("索引已是最新，启动网页后加载")
    else:
        report, errors = bot.build(progress)
        for err in errors:
            log.warning("未收录：%s", err)
        log.info("索引完成：%d 个文件、%d 个片段，用时 %.1f 秒", report.documents, report.chunks, report.seconds)
    if not settings.admin_password:
        log.warning("%s", ADMIN_DISABLED)
    demo = build_app(bot)
    demo.queue(default_concurrency_limit=settings.concurrency)
    log.info("PolicyBot 网页版：http://%s:%d", settings.host, settings.port)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        max_file_size=upload_cap(settings),
        ssr_mode=False,
        mcp_server=False,
        prevent_thread_lock=True,
    )
    # the page is served while the index loads (~1 s, mostly jieba's dictionary); a question asked meanwhile
    # waits on PolicyBot's load lock rather than failing
    started = time.perf_counter()
    bot.load()
    bot.warm_up()
    log.info("索引已加载：%d 个文件，用时 %.1f 秒", len(bot.documents()), time.perf_counter() - started)
    demo.block_thread()

"""The 文件管理 tab: upload (with a preview of the parse), add to the index, delete; every action checks the admin
password again, so the HTTP endpoints behind the buttons are as closed as the page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from policybot.bot import PolicyBot, check_upload_size, megabytes, safe_upload_name
from policybot.errors import AccessDenied, PolicyBotError
from policybot.ingest.loaders import SUPPORTED_SUFFIXES
from policybot.web.access import ADMIN_DISABLED, AdminGuard
from policybot.web.lookup import refreshed_lists
from policybot.web.render import documents_table, error_md, esc_md, preview_markdown

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
NO_FILE = "请先选择要上传的文件。"
SEMANTIC_REFRESH_SECONDS = 30  # how often the page asks how far embedding has got (a long build embeds for hours)


@dataclass(frozen=True, slots=True)
class AdminResult:
    """What an admin action says, and whether the index changed (the page's lists are then refreshed)."""

    status: str
    changed: bool = False


def semantic_status_md(bot: PolicyBot) -> str:
    """'⏳ 语义索引 37%，约 2 小时 10 分钟后完成' while the index is still being embedded; '' once it is (or while the
    index loads): keyword search already covers every document meanwhile."""
    if not bot.is_loaded:
        return ""
    note = bot.semantic_note()
    return f"⏳ {esc_md(note)}" if note else ""


def client_of(request: gr.Request | None) -> str:
    """Who is asking, for the password rate limit: the client address (the session when unknown)."""
    if request is not None and request.client is not None and request.client.host:
        return request.client.host
    return getattr(request, "session_hash", None) or "unknown"


def read_upload(path: str, limit: int) -> tuple[str, bytes]:
    """The name and bytes of an uploaded file; DocumentError naming the file when its type or size is refused
    (both checked before the file is read)."""
    file = Path(path)
    name = safe_upload_name(file.name)
    check_upload_size(name, file.stat().st_size, limit)
    return name, file.read_bytes()


def admin_login(bot: PolicyBot, guard: AdminGuard, client: str, password: str) -> AdminResult:
    """Check the password: the panel opens (changed=True) or the reason it stays closed."""
    try:
        guard.check(client, password)
    except AccessDenied as exc:
        return AdminResult(error_md(exc))
    return AdminResult("✅ 已验证管理员身份。", changed=True)


def admin_preview(bot: PolicyBot, guard: AdminGuard, client: str, password: str, path: str | None) -> str:
    """How the uploaded file would parse, or why it is refused (password, name, type, size, content)."""
    try:
        guard.check(client, password)
        if not path:
            return NO_FILE
        return preview_markdown(bot.preview(*read_upload(path, bot.settings.max_upload_bytes)))
    except PolicyBotError as exc:
        return error_md(exc)


def admin_add(
    bot: PolicyBot, guard: AdminGuard, client: str, password: str, path: str | None, progress: Progress | None = None
) -> AdminResult:
    """Add the uploaded file to the corpus and the index; nothing changes when it is refused."""
    try:
        guard.check(client, password)
        if not path:
            return AdminResult(NO_FILE)
        name, data = read_upload(path, bot.settings.max_upload_bytes)
        doc = bot.add_document(name, data, progress)
    except PolicyBotError as exc:
        return AdminResult(error_md(exc))
    log.info("admin added %s (%s)", doc.source, doc.doc_id)
    number = f"（{esc_md(doc.doc_number)}）" if doc.doc_number else ""
    return AdminResult(f"✅ 已加入索引：《{esc_md(doc.title)}》{number}，{len(doc.clauses)} 条条款。", changed=True)


def admin_delete(
    bot: PolicyBot,
    guard: AdminGuard,
    client: str,
    password: str,
    doc_id: str | None,
    confirm: bool,
    progress: Progress | None = None,
) -> AdminResult:
    """Delete a document from the corpus and the index once "确认删除" is ticked."""
    try:
        guard.check(client, password)
        if not doc_id:
            return AdminResult("请选择要删除的文件。")
        if not confirm:
            return AdminResult("请先勾选“确认删除”。")
        title = bot.index.documents[doc_id].title if doc_id in bot.index.documents else doc_id
        bot.delete_document(doc_id, progress)
    except PolicyBotError as exc:
        return AdminResult(error_md(exc))
    log.info("admin deleted %s", doc_id)
    return AdminResult(f"✅ 已删除《{esc_md(title)}》。", changed=True)


def admin_tab(
    bot: PolicyBot, guard: AdminGuard, documents: list[tuple[str, str]], lists: Sequence[gr.Dropdown]
) -> gr.Dropdown:
    """Lay out the 文件管理 tab and wire its handlers; `lists` are the other tabs' document lists (search documents,
    issuers, browse documents), refreshed after a document is added or deleted. Returns its own document list."""
    limit_mb = megabytes(bot.settings.max_upload_bytes)
    with gr.Tab("文件管理", id="admin"):
        if not guard.enabled:
            gr.Markdown(f"⚠️ {esc_md(ADMIN_DISABLED)}", elem_id="admin-disabled")
        with gr.Row(visible=guard.enabled):
            password = gr.Textbox(label="管理员密码", type="password", scale=4, elem_id="admin-password")
            login = gr.Button("验证", scale=1, elem_id="admin-login")
        status = gr.Markdown(elem_id="admin-status")
        with gr.Column(visible=False) as panel:
            # any file is accepted here: the handlers refuse other types and oversized files with a message
            # naming the file (Gradio's own file_types check says only "Invalid file type")
            upload = gr.File(
                label=f"上传文件（{'、'.join(SUPPORTED_SUFFIXES)}；不超过 {limit_mb} MB）",
                type="filepath",
                elem_id="admin-upload",
            )
            preview = gr.Markdown(elem_id="admin-preview")
            add_button = gr.Button("加入索引", variant="primary", elem_id="admin-add")
            with gr.Row():
                delete_doc = gr.Dropdown(documents, label="删除文件", value=None, scale=3)
                confirm = gr.Checkbox(label="确认删除", value=False, scale=1)
                delete_button = gr.Button("删除", variant="stop", scale=1)
            table = gr.Markdown(elem_id="admin-docs")

    def after(result: AdminResult) -> tuple:
        if not result.changed:
            return result.status, *(gr.update(),) * 5
        return result.status, *refreshed_lists(bot), documents_table(bot.documents())

    def login_clicked(secret: str, request: gr.Request) -> tuple:
        result = admin_login(bot, guard, client_of(request), secret)
        shown = documents_table(bot.documents()) if result.changed else ""
        return result.status, gr.update(visible=result.changed), shown

    def preview_uploaded(secret: str, path: str | None, request: gr.Request) -> str:
        return admin_preview(bot, guard, client_of(request), secret, path)

    def add_clicked(secret: str, path: str | None, request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008 - gradio idiom
        return after(admin_add(bot, guard, client_of(request), secret, path, lambda f, m: progress(f, desc=m)))

    def delete_clicked(secret: str, doc_id: str | None, ticked: bool, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - gradio idiom
        result = admin_delete(bot, guard, client_of(request), secret, doc_id, ticked, lambda f, m: progress(f, desc=m))
        shown, *updates = after(result)
        return shown, gr.update(value=False) if result.changed else gr.update(), *updates

    # the admin endpoints stay callable (undocumented) so the server-side checks can be tested through HTTP
    outputs = [status, *lists, delete_doc, table]
    login.click(login_clicked, password, [status, panel, table], api_name="admin_login", api_visibility="undocumented")
    password.submit(login_clicked, password, [status, panel, table], api_visibility="private")
    upload.upload(
        preview_uploaded, [password, upload], preview, api_name="admin_preview", api_visibility="undocumented"
    )
    add_button.click(add_clicked, [password, upload], outputs, api_name="admin_add", api_visibility="undocumented")
    delete_button.click(
        delete_clicked,
        [password, delete_doc, confirm],
        [status, confirm, *outputs[1:]],
        api_name="admin_delete",
        api_visibility="undocumented",
    )
    return delete_doc

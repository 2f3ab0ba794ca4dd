"""The web app in headless Chromium: ask, search, browse, the task ledger, self-check and upload as a user would; one
screenshot per tab."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "浏览器测试-pw-7"
REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE = REPO / "tests" / "data" / "upload_sample.txt"
SHOTS = REPO / "artifacts" / "screenshots"
README_SHOT = REPO / "docs" / "screenshot-chat.png"
LOAD_MS = 30_000  # first load of Gradio may take a while
ANSWER_MS = 15_000
INDEX_MS = 60_000
DIALOGS: list[str] = []  # messages of any alert() the page raised
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HOSTILE = f"""青川市人民政府办公室关于印发青川市孵化园房租补贴{XSS}办法的通知
青府办发〔2024〕8号
各县（市、区）人民政府，市政府各部门：
　　《青川市孵化园房租补贴{XSS}办法》已经市人民政府同意，现印发给你们，请认真贯彻执行。
青川市人民政府办公室
2024年3月1日
青川市孵化园房租补贴{XSS}办法
一、补贴内容
（一）孵化园房租补贴。{XSS}对入驻孵化园的科技型小微企业，按实际房租的50%给予补贴。（牵头单位：市科学技术局）
二、附则
本办法自印发之日起施行。
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM}: browser tests skipped"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def app_url(bot_copy, launch_app) -> str:
    """The app with an admin password, over its own corpus and index copy (the upload test adds a file)."""
    return launch_app(bot_copy(admin_password=PASSWORD))


@pytest.fixture(scope="module")
def page(app_url):
    """One Chromium page on the app, shared by the tests in order; alert() dialogs are recorded."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(ANSWER_MS)
        expect.set_options(timeout=ANSWER_MS)
        page.on("dialog", lambda d: (DIALOGS.append(d.message), d.dismiss()))
        page.goto(app_url, timeout=LOAD_MS)
        expect(page.get_by_role("tab", name="政策问答")).to_be_visible(timeout=LOAD_MS)
        yield page
        browser.close()


def open_tab(page, name: str) -> None:
    """Open a tab; on a narrow screen Gradio puts the tabs that do not fit in its ⋯ menu."""
    tab = page.get_by_role("tab", name=name)
    if not tab.is_visible():
        page.locator(".overflow-menu button").first.click()
        tab = page.locator(".overflow-dropdown button", has_text=name)
    tab.first.click()


def field(page, elem_id: str):
    """The text input inside a Gradio Textbox with this elem_id."""
    return page.locator(f"#{elem_id}").locator("textarea, input").first


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def ask(page, question: str) -> None:
    field(page, "question").fill(question)
    page.locator("#ask").click()


def test_chat_answers_with_lead_unit_and_citation(page):
    open_tab(page, "政策问答")
    ask(page, "加大用地支持由哪个单位牵头？")
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("市自然资源局")
    expect(chat).to_contain_text("三（三）加大用地支持")
    summary = chat.locator("details summary").first
    summary.click()  # the citation opens to the full clause and its units
    expect(chat.locator("details").first).to_contain_text("应保尽保")
    expect(chat.locator("details").first).to_contain_text("牵头单位：")
    shot = screenshot(page, "chat")
    if README_SHOT.exists() and not os.environ.get("POLICYBOT_README_SHOT"):
        return  # the README's picture is refreshed on request only, so a test run leaves the tree clean
    README_SHOT.parent.mkdir(parents=True, exist_ok=True)
    if shot.stat().st_size < 300_000:
        shutil.copy(shot, README_SHOT)
    else:  # keep the README image small: the chat panel only
        chat.screenshot(path=str(README_SHOT))


def test_chat_example_and_not_found_marking(page):
    page.get_by_role("button", name="明天天气怎么样").click()
    expect(page.locator("#chatbot")).to_contain_text("最接近的条款（仅供参考）")


def test_html_in_a_question_is_not_injected(page):
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>测试"
    ask(page, payload)
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("<script>alert(1)</script>")  # shown as text
    assert page.locator("#chatbot script").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("[onerror]").count() == 0
    page.wait_for_timeout(300)
    assert DIALOGS == []


def search(page, query: str, expected: str):
    """Search on the 条款检索 tab; the hits, once one of them shows `expected`."""
    open_tab(page, "条款检索")
    field(page, "query").fill(query)
    page.locator("#search-button").click()
    hits = page.locator("#hits")
    expect(hits).to_contain_text(expected)
    return hits


def open_hit(page, heading: str):
    """Open the hit with this heading; the clause detail."""
    page.locator("#hit-pick label", has_text=heading).first.click()
    return page.locator("#hit-detail")


def test_search_highlights_terms_and_opens_a_clause(page):
    hits = search(page, "人地挂钩", "加大用地支持")
    expect(hits).to_contain_text("共 ")
    expect(hits.locator("strong", has_text="人地挂钩").first).to_be_visible()
    detail = open_hit(page, "加大用地支持")
    expect(detail).to_contain_text("应保尽保")
    expect(detail).to_contain_text("牵头单位：")
    expect(detail).to_contain_text("市自然资源局")
    screenshot(page, "search")


def choose(page, elem_id: str, option: str) -> None:
    """Pick an option of a Gradio Dropdown."""
    field(page, elem_id).click()
    page.get_by_role("option", name=option).first.click()


def test_browse_shows_metadata_tree_and_a_clause(page):
    open_tab(page, "文件浏览")
    choose(page, "browse-doc", "遵义市加快推动特色小镇和小城镇高质量发展实施方案（遵府办函〔2020〕141号）")
    meta = page.locator("#browse-meta")
    expect(meta.locator("li", has_text="文号")).to_contain_text("遵府办函〔2020〕141号")
    expect(meta.locator("li", has_text="发文机关")).to_contain_text("遵义市人民政府办公室")
    expect(meta.locator("li", has_text="日期")).to_contain_text("2020-07-13")
    expect(meta.locator("li", has_text="效力")).to_contain_text("现行有效")
    expect(meta.locator("li", has_text="引用文件")).to_contain_text("黔府办发〔2019〕20号")
    expect(meta).to_contain_text("原文不完整")
    tree = page.locator("#browse-tree")
    expect(tree).to_contain_text("三（三） 加大用地支持〔牵头：市自然资源局〕")
    expect(tree.locator("label", has_text="三（一） 加大财政支持")).to_contain_text("编号重复")
    expect(tree.locator("label", has_text="三（三） 加大用地支持")).not_to_contain_text("编号重复")
    expect(tree).not_to_contain_text("序言 序言")
    tree.locator("label", has_text="三（三） 加大用地支持").click()  # the tree itself is clickable
    detail = page.locator("#clause-detail")
    expect(detail).to_contain_text("人地挂钩")
    expect(detail).to_contain_text("牵头单位：市自然资源局")
    screenshot(page, "browse")


def test_task_ledger_shows_a_units_tasks_and_downloads_the_workbook(page, tmp_path):
    open_tab(page, "任务分工")
    choose(page, "tasks-unit", "市自然资源局")
    page.locator("#tasks-run").click()
    table = page.locator("#tasks-table")
    expect(table).to_contain_text("共 2 项任务")
    expect(table.locator("tr", has_text="三（三）")).to_contain_text("加大用地支持")
    expect(table.locator("tr", has_text="三（二）")).to_contain_text("到2022年底")
    screenshot(page, "tasks")
    with page.expect_download() as info:
        page.locator("#tasks-download").click()
    download = info.value
    assert download.suggested_filename == "任务分工台账.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[6]) for r in rows] == [("三（二）", "市自然资源局"), ("三（三）", "市自然资源局")]


def test_self_check_lists_benefits_with_conditions_and_contacts(page):
    open_tab(page, "惠企政策自查")
    field(page, "selfcheck-industry").fill("特色食品加工")
    page.locator("#selfcheck-in-town label", has_text="是").first.click()
    page.locator("#selfcheck-needs label", has_text="用地").click()
    page.locator("#selfcheck-button").click()
    benefits = page.locator("#benefits")
    expect(benefits).to_contain_text("联系单位")
    expect(benefits).to_contain_text("✔")
    expect(benefits).to_contain_text("市自然资源局")
    screenshot(page, "selfcheck")


def log_in_and_choose_file(page, path: Path) -> None:
    """In 文件管理: verify the admin password, then pick a file to upload (replacing one picked before)."""
    open_tab(page, "文件管理")
    field(page, "admin-password").fill(PASSWORD)
    page.locator("#admin-login").click()
    expect(page.locator("#admin-status")).to_contain_text("已验证")
    clear = page.locator("#admin-upload").get_by_role("button", name=re.compile("^(Clear|清除)$"))
    if clear.count():
        clear.first.click()
    page.locator("#admin-upload input[type=file]").set_input_files(str(path))


def test_admin_uploads_a_document_that_search_then_finds(page):
    log_in_and_choose_file(page, SAMPLE)
    preview = page.locator("#admin-preview")
    expect(preview).to_contain_text("青府办发〔2023〕15号")
    expect(preview).to_contain_text("市财政局")
    page.locator("#admin-add").click()
    expect(page.locator("#admin-status")).to_contain_text("已加入索引", timeout=INDEX_MS)
    expect(page.locator("#admin-docs")).to_contain_text("青川市小微企业贷款贴息实施办法")
    screenshot(page, "admin")
    hits = search(page, "流动资金贷款贴息", "青川市小微企业贷款贴息实施办法")
    expect(hits).to_contain_text("青府办发〔2023〕15号")


def no_live_markup(page) -> None:
    """Nothing from a hostile document became an element, an attribute or a dialog."""
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("[onerror]").count() == 0
    page.wait_for_timeout(300)
    assert DIALOGS == []


def test_hostile_document_shows_as_text_in_search_browse_and_chat(page, tmp_path):
    hostile = tmp_path / "孵化园房租补贴.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    log_in_and_choose_file(page, hostile)
    expect(page.locator("#admin-preview")).to_contain_text("<script>alert(1)</script>")
    page.locator("#admin-add").click()
    expect(page.locator("#admin-status")).to_contain_text("已加入索引", timeout=INDEX_MS)
    expect(page.locator("#admin-docs")).to_contain_text("青府办发〔2024〕8号")
    no_live_markup(page)

    hits = search(page, "孵化园房租补贴", "青府办发〔2024〕8号")
    expect(hits).to_contain_text("<img src=x onerror=alert(1)>")
    expect(open_hit(page, "孵化园房租补贴")).to_contain_text(XSS + "对入驻孵化园")
    no_live_markup(page)

    open_tab(page, "文件浏览")
    choose(page, "browse-doc", "青府办发〔2024〕8号")
    expect(page.locator("#browse-meta")).to_contain_text("<script>alert(1)</script>")
    page.locator("#browse-tree label", has_text="一（一） 孵化园房租补贴").click()
    expect(page.locator("#clause-detail")).to_contain_text("<img src=x onerror=alert(1)>对入驻孵化园")
    no_live_markup(page)

    open_tab(page, "政策问答")
    ask(page, "孵化园房租补贴由哪个单位牵头？")
    chat = page.locator("#chatbot")
    expect(chat).to_contain_text("由市科学技术局牵头")
    citation = chat.locator("details", has_text="孵化园房租补贴").last
    citation.locator("summary").click()
    expect(citation).to_contain_text("<script>alert(1)</script>")
    expect(citation).to_contain_text("<img src=x onerror=alert(1)>对入驻孵化园")
    no_live_markup(page)


def test_phone_sized_chat_and_clause_tree(page, app_url):
    """On a phone-sized screen: no label covers the answer, the refusal's header appears once, the tree opens a
    clause; screenshots phone-chat.png and phone-browse.png."""
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        phone.set_default_timeout(ANSWER_MS)
        phone.goto(app_url, timeout=LOAD_MS)
        ask(phone, "明天天气怎么样")
        chat = phone.locator("#chatbot")
        expect(chat).to_contain_text("没有找到")
        assert chat.get_by_text("对话", exact=True).count() == 0  # Gradio's floating label is not shown
        expect(chat.get_by_text("最接近的条款（仅供参考）")).to_have_count(1)
        screenshot(phone, "phone-chat")
        open_tab(phone, "文件浏览")
        choose(phone, "browse-doc", "遵义市加快推动特色小镇和小城镇高质量发展实施方案（遵府办函〔2020〕141号）")
        phone.locator("#browse-tree label", has_text="三（一） 加大财政支持").click()
        expect(phone.locator("#clause-detail")).to_contain_text("以奖代补")
        expect(phone.locator("#clause-detail")).to_contain_text("不止一条编号为 三（一） 的条款")
        phone.locator("#clause-detail").scroll_into_view_if_needed()
        screenshot(phone, "phone-browse")
    finally:
        phone.close()

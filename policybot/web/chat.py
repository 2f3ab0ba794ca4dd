"""The 政策问答 tab: a chat over the collected documents, with example questions and follow-ups."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from policybot.answer.answerer import Conversation
from policybot.bot import PolicyBot
from policybot.errors import PolicyBotError
from policybot.web.render import answer_markdown, error_md, esc_md

EXAMPLES = (
    "加大用地支持由哪个单位牵头？",
    "市自然资源局牵头哪些工作？",
    "企业落户特色小镇能享受哪些优惠？",
    "三（二）",
    "遵府办函〔2020〕141号",
    "什么是特色小镇",
    "明天天气怎么样",
)
SHOWN_CHARS = 600  # of a user's question echoed in the chat

ChatState = tuple[list, Conversation, str]  # the chat history, the conversation, what the question box shows


def respond(bot: PolicyBot, question: str | None, history: list | None, conversation: Conversation | None) -> ChatState:
    """The chat after asking `question`: the question and its answer (or the reason it was refused) appended.
    A blank question changes nothing, so no empty bubble appears."""
    history = list(history or [])
    conversation = conversation if conversation is not None else Conversation()
    if not (question or "").strip():
        return history, conversation, ""
    shown = question if len(question) <= SHOWN_CHARS else question[:SHOWN_CHARS] + "…"
    history.append({"role": "user", "content": esc_md(shown)})
    try:
        reply = answer_markdown(bot.ask(question, conversation))
    except PolicyBotError as exc:
        reply = error_md(exc)
    history.append({"role": "assistant", "content": reply})
    return history, conversation, ""


def cleared() -> ChatState:
    """An empty chat with a fresh conversation."""
    return [], Conversation(), ""


def chat_tab(bot: PolicyBot) -> None:
    """Lay out the 政策问答 tab (inside the app's gr.Tabs()) and wire its handlers."""
    with gr.Tab("政策问答", id="chat"):
        # no label: Gradio's floating 对话 label covered the first line of an answer once scrolled
        chatbot = gr.Chatbot(show_label=False, height=480, elem_id="chatbot", feedback_options=None)
        conversation = gr.State(Conversation())
        with gr.Row():
            question = gr.Textbox(
                placeholder="例如：加大用地支持由哪个单位牵头？", show_label=False, scale=5, elem_id="question"
            )
            send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
        gr.Markdown("**示例问题（点击即问）**：")
        with gr.Row():
            example_buttons = [gr.Button(q, size="sm") for q in EXAMPLES]
        clear = gr.Button("清空对话", size="sm")

    def chat_turn(text: str, history: list | None, state: Conversation | None) -> ChatState:
        return respond(bot, text, history, state)

    def ask_example(text: str) -> Callable[[list | None, Conversation | None], ChatState]:
        return lambda history, state: respond(bot, text, history, state)

    chat_out = [chatbot, conversation, question]
    send.click(chat_turn, [question, chatbot, conversation], chat_out, api_name="chat", api_visibility="undocumented")
    question.submit(chat_turn, [question, chatbot, conversation], chat_out, api_visibility="private")
    for button, text in zip(example_buttons, EXAMPLES, strict=True):
        button.click(ask_example(text), [chatbot, conversation], chat_out, api_visibility="private")
    clear.click(cleared, None, chat_out, api_visibility="private")

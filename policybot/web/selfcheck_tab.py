"""The 惠企政策自查 tab: an enterprise profile (form or free text) → the benefit clauses that may apply."""

from __future__ import annotations

import gradio as gr

from policybot.answer.selfcheck import EnterpriseProfile, merge_profiles, profile_from_text
from policybot.bot import PolicyBot, clean_question
from policybot.errors import PolicyBotError
from policybot.web.render import benefits_markdown, error_md

YES_NO = {"是": True, "否": False, "不确定": None}
UNSURE = "不确定"
NEEDS = ("用地", "融资", "资金", "人才", "税收")
SIZES = ("小微", "中型", "大型", UNSURE)
DESCRIPTION_FACTOR = 4  # a description may be this many times as long as a question


def form_profile(
    industry: str | None,
    in_town: str | None,
    size: str | None,
    encouraged: str | None,
    talent: str | None,
    needs: list[str] | None,
    description: str,
) -> EnterpriseProfile:
    """The profile the form describes ("不确定" is unknown), with what the description adds."""
    profile = EnterpriseProfile(
        industry=(industry or "").strip(),
        in_town=YES_NO.get(in_town or UNSURE),
        size="" if size in (None, UNSURE) else size,
        encouraged_industry=YES_NO.get(encouraged or UNSURE),
        talent=YES_NO.get(talent or UNSURE),
        needs=tuple(needs or ()),
        description=description,
    )
    return merge_profiles(profile, profile_from_text(description)) if description else profile


def run_self_check(
    bot: PolicyBot,
    industry: str | None = "",
    in_town: str | None = UNSURE,
    size: str | None = UNSURE,
    encouraged: str | None = UNSURE,
    talent: str | None = UNSURE,
    needs: list[str] | None = None,
    description: str | None = "",
) -> str:
    """The benefit clauses that may apply to the profile, each condition marked met, not met or unknown."""
    try:
        limit = bot.settings.max_question_chars * DESCRIPTION_FACTOR
        text = clean_question(description, limit) if (description or "").strip() else ""
        profile = form_profile(industry, in_town, size, encouraged, talent, needs, text)
        return benefits_markdown(bot.self_check(profile))
    except PolicyBotError as exc:
        return error_md(exc)


def selfcheck_tab(bot: PolicyBot) -> None:
    """Lay out the 惠企政策自查 tab and wire its handler."""
    with gr.Tab("惠企政策自查", id="selfcheck"):
        gr.Markdown("填写企业情况，查看可能适用的惠企条款、适用条件和联系单位。不确定的项可留空。")
        with gr.Row():
            industry = gr.Textbox(label="所属行业", placeholder="例如：特色食品加工", elem_id="selfcheck-industry")
            size = gr.Radio(list(SIZES), value=UNSURE, label="企业规模")
        with gr.Row():
            in_town = gr.Radio(
                list(YES_NO), value=UNSURE, label="是否位于（或将落户）特色小镇/小城镇", elem_id="selfcheck-in-town"
            )
            encouraged = gr.Radio(list(YES_NO), value=UNSURE, label="是否属于《产业结构调整指导目录》鼓励类产业")
            talent = gr.Radio(list(YES_NO), value=UNSURE, label="是否引进高层次人才（硕士及以上或副高及以上）")
        needs = gr.CheckboxGroup(list(NEEDS), label="主要需求", elem_id="selfcheck-needs")
        description = gr.Textbox(
            label="补充说明（可选）", lines=3, placeholder="例如：我们是小微食品企业，准备落户特色小镇，需要贷款"
        )
        button = gr.Button("开始自查", variant="primary", elem_id="selfcheck-button")
        benefits = gr.Markdown(elem_id="benefits")

    def check(*form: object) -> str:
        return run_self_check(bot, *form)  # type: ignore[arg-type]

    button.click(
        check, [industry, in_town, size, encouraged, talent, needs, description], benefits, api_visibility="private"
    )

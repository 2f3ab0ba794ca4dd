"""Excerpts: the sentence that answers, with a little context, cuts marked."""

from __future__ import annotations

from policybot.retrieve.excerpt import (
    best_excerpt,
    holds_facts,
    holds_facts_about,
    off_topic,
    sentences,
    wanted_facts,
    weighted_words,
)

LONG = (
    "今年以来，全市城镇新增就业2.3万人，就业形势总体稳定。"
    "为此，市人社局会同市财政局对原有政策进行了梳理，形成了覆盖求职、培训、创业各环节的补贴体系。"
    "市创业服务中心设在青溪市人力资源市场二楼，咨询电话0852-6612345，工作日上午9点至下午5点受理。"
    "各区也设有创业服务窗口，群众可以就近办理。"
    "下一步，市人社局将继续加强政策宣传，推行补贴“免申即享”，让政策红利更快更准地惠及企业和群众。"
    "有关政策的详细内容可登录市人社局官网查询。"
)


def test_the_sentence_holding_the_asked_fact_is_quoted_with_cuts_marked() -> None:
    excerpt = best_excerpt(LONG, "创业服务中心电话是多少", [("创业服务中心", 3.0)], limit=80)
    assert "0852-6612345" in excerpt.text
    assert excerpt.cut_before and excerpt.shown.startswith("…")
    assert excerpt.text in LONG


def test_a_short_clause_is_quoted_whole() -> None:
    text = "对符合国家供地政策的项目，在建设用地审批中应保尽保。"
    assert best_excerpt(text, "批地会不会被卡住", []).shown == text


def holds_wanted_fact(question: str, text: str) -> bool:
    return holds_facts(wanted_facts(question), text)


def test_sentences_keep_every_character() -> None:
    assert "".join(sentences(LONG)) == LONG


def test_a_question_for_a_number_is_not_answered_by_a_clause_without_one() -> None:
    assert not holds_wanted_fact("最低工资标准是多少", "健全联席会议制度，统筹推进特色小镇创建工作。")
    assert holds_wanted_fact("补贴标准是多少", "补贴标准为每人1500元。")
    assert holds_wanted_fact("联席会议办公室设在哪里", "联席会议办公室设在市发展改革委。")


def test_a_figure_asked_for_must_be_said_of_the_thing_asked_about() -> None:
    allowances = (
        "残疾人两项补贴与老年人高龄津贴、养老服务补贴不互相替代。"
        "困难残疾人生活补贴标准由每人每月80元提高到每人每月100元。"
    )
    wanted = wanted_facts("高龄津贴每月发多少？")
    assert not holds_facts_about(wanted, allowances, ("高龄", "津贴"))  # the sums are another allowance's
    assert holds_facts_about(wanted, allowances, ("生活补贴",))
    assert holds_facts_about(wanted, allowances, ())  # no subject said: the whole clause is looked in
    assert not holds_wanted_fact("每年安排多少专项资金", "市级加大专项资金申报力度，力争到2022年底全覆盖。")


def test_which_ones_and_where_from_ask_for_no_number_and_no_address() -> None:
    assert not wanted_facts("产业扶持政策是哪几个局牵头？")  # which offices, not how many
    assert not wanted_facts("镇上搞智慧化设施，钱能从哪里来？")  # a source of money, not a place
    assert not wanted_facts("特色食品企业能拿到哪类专项资金？")  # 拿到哪类: which kind, not where
    assert wanted_facts("联席会议办公室在哪里？")
    assert not wanted_facts("国庆放假的那几天算不算在年假里？")  # those days, not how many


def test_shares_spending_qualifications_and_procedures_need_a_clause_that_gives_them() -> None:
    counts = "推动全市56个省(市)示范小城镇、125个省(市)特色小城镇提档升级。"
    assert not holds_wanted_fact("特色小镇项目的税收返还比例是多少？", counts)
    assert holds_wanted_fact("人口比例能上升几个点", "带动全市城镇化率提高3个百分点以上。")
    assert holds_wanted_fact("报销比例是多少", "报销比例由60%提高到70%。")
    assert not holds_wanted_fact("专项资金去年花了多少？", counts)
    assert not holds_wanted_fact("规划编制单位需要什么资质？", "组织编制特色小镇和小城镇建设专项规划。")
    assert not holds_wanted_fact("贴息的申请材料有哪些？", "鼓励金融机构加大金融支持力度。")
    assert not holds_wanted_fact("以奖代补要走什么流程？", "市级加大专项资金申报力度，争取上级资金支持。")
    assert holds_wanted_fact("居住证怎么申请？", "申领居住证，应当向居住地公安派出所提交本人居民身份证。")
    office = "联席会议办公室设在市发展改革委。"
    assert holds_wanted_fact("联席会议办公室设在哪里？", office)
    assert not holds_wanted_fact("联席会议办公室的地址在哪里？", office)  # an office, no street
    assert holds_wanted_fact("担保中心的地址在哪里？", "担保中心地址为青禾市白鹭大道199号。")
    assert wanted_facts("年假一年能休几天？")


def test_laws_write_durations_in_words() -> None:
    assert holds_wanted_fact("失业金最长能领多久", "领取失业保险金的期限最长为二十四个月。")
    assert not holds_wanted_fact("失业金最长能领多久", "失业保险金由社会保险经办机构按月发放。")


def test_conditions_and_materials_asked_for_need_a_clause_that_names_them() -> None:
    assert not holds_wanted_fact("申请创业担保贷款需要什么条件", "鼓励金融机构提供周期长成本低的融资服务。")
    assert holds_wanted_fact("申请创业担保贷款需要什么条件", "申请人须年满18周岁，具备完全民事行为能力。")
    assert not holds_wanted_fact("申报要准备什么材料", "各地要加大政策宣传力度。")
    assert holds_wanted_fact("申报要准备什么材料", "申请人须提交身份证复印件和申请表。")


def test_a_technical_standard_is_not_an_amount() -> None:
    assert holds_wanted_fact("工程技术标准、导则由谁制定", "市住房城乡建设局牵头制定相关工程技术标准、导则。")
    assert not holds_wanted_fact("补贴标准是什么", "市住房城乡建设局牵头制定相关工作机制。")


def test_asking_how_a_figure_is_set_is_answered_by_the_rule_in_words() -> None:
    rule = "失业保险金的标准，按照低于当地最低工资标准、高于城市居民最低生活保障标准的水平，由省级人民政府确定。"
    assert holds_wanted_fact("失业金一个月能领多少，标准怎么定？", rule)
    assert not holds_wanted_fact("失业金一个月能领多少？", rule)


FEES = (
    "申报人于9月1日至9月30日登录安澜市职称评审管理系统填报个人信息、上传业绩材料，并在系统中提交申请，逾期不再受理。"
    "所在单位对申报人的材料进行审核，并在单位内部公示不少于5个工作日，公示无异议后在系统中提交。"
    "评审费按照省定标准收取，中级职称每人220元，申报人在系统中通过网上支付缴纳，评审未通过的不予退还。"
    "评审委员会计划于11月下旬组织评审，具体时间和地点另行通知。"
)
IDF = {"安澜": 3.6, "评": 8.0, "中级职称": 6.2, "交": 6.2, "评审": 4.8, "费": 4.5}


def test_a_single_character_found_inside_other_words_weighs_little() -> None:
    # "评" and "交" are rare as words of their own, but sit inside 评审 and 提交 in every sentence
    words = weighted_words(["安澜", "评", "中级职称", "交", "评审", "费"], [], IDF.__getitem__)
    assert dict(words)["评"] < dict(words)["评审"]
    excerpt = best_excerpt(FEES, "安澜评中级职称要交多少评审费？", words, limit=60)
    assert excerpt.text.startswith("评审费按照省定标准收取")


def test_the_quoted_run_is_the_one_that_goes_on_to_what_is_also_asked() -> None:
    text = (
        "补贴对象为在本市灵活就业的高校毕业生，须在本市缴纳社会保险满6个月。"
        "补贴标准为实际缴费的三分之一，补贴期限最长不超过2年，申请时间为每年1月和7月。"
        "申请人可以通过“云溪就业”公众号在线申请，也可以到街道劳动保障服务所窗口申请。"
        "审核通过的名单在公众号公示7天，公示期满后补贴资金在20个工作日内发放到本人社会保障卡。"
    )
    idf = {"补贴": 2.0, "标准": 3.0, "期限": 3.0, "申请": 2.0}
    words = weighted_words(list(idf), [], idf.__getitem__)
    excerpt = best_excerpt(text, "补贴标准和期限是多少，怎么申请？", words, limit=90)
    assert "补贴标准为实际缴费的三分之一" in excerpt.text


def test_words_of_the_documents_title_do_not_choose_among_its_sentences() -> None:
    text = (
        "为方便老年人及其家属了解和办理高龄津贴，青禾市民政局编写了本指南。"
        "高龄津贴的申领对象为具有青禾市户籍、年满80周岁的老年人，不论是否享受退休待遇，均可申领。"
        "津贴按年龄分档发放：80周岁至89周岁的老年人，每人每月100元；90周岁至99周岁的老年人，每人每月300元；"
        "100周岁及以上的老年人，每人每月1000元。"
        "年龄以居民身份证上记载的出生日期为准，老年人在年满80周岁的当月即可提出申请。"
    )
    idf = {"青禾": 4.7, "90": 5.9, "高龄": 4.8, "津贴": 3.8, "每月": 3.0}
    words = weighted_words(list(idf), [], idf.__getitem__)
    question = "青禾90多岁的老人高龄津贴每月多少钱？"
    title = "青禾市高龄津贴申领办事指南"
    assert "90周岁至99周岁" in best_excerpt(text, question, words, limit=80, topic=title).text
    assert best_excerpt(text, question, words, limit=40, topic=title).text.startswith("90周岁至99周岁")
    weights, lighter = dict(words), dict(off_topic(words, title))
    assert lighter["青禾"] < weights["青禾"] and lighter["90"] == weights["90"]


NUMBERS = (
    "本次补贴面向2024年在本市参保的灵活就业人员，共涉及3.2万人。"
    "补贴按实际缴费的三分之二给予，单位和个人按60%和40%的比例分担。"
    "补贴标准为每人每月693元，由市财政按季度拨付。"
    "申请时间为每年1月1日至1月31日，逾期不再受理。"
    "审核通过后，补贴资金在20个工作日内发放到申请人本人的社会保障卡银行账户。"
    "每人每年补贴金额最高不超过8400元，超出部分不予补贴。"
)


def _quoted(question: str, words: list[tuple[str, float]] | None = None) -> str:
    return best_excerpt(NUMBERS, question, words or [], limit=40).text


def test_a_question_for_money_is_answered_by_the_sentence_with_a_sum() -> None:
    assert _quoted("每个月能补多少钱？").startswith("补贴标准为每人每月693元")


def test_a_question_for_a_share_is_answered_by_the_sentence_with_a_percentage() -> None:
    assert _quoted("按什么比例分担？").startswith("补贴按实际缴费的三分之二")


def test_a_question_for_a_date_is_not_answered_by_a_duration_nor_the_other_way() -> None:
    assert _quoted("什么时候申请？", [("申请", 1.0)]).startswith("申请时间为每年1月1日")
    assert _quoted("批下来多久能发？").startswith("审核通过后，补贴资金在20个工作日内")


def test_a_question_for_the_most_is_answered_by_the_sentence_with_the_cap() -> None:
    assert _quoted("一年最多能拿多少？").startswith("每人每年补贴金额最高不超过8400元")


def test_a_question_where_money_goes_is_answered_by_the_sentence_with_the_account() -> None:
    assert "社会保障卡银行账户" in _quoted("钱打到哪里？", [("钱", 1.0)])


GUIDE = (
    "申请人可以通过“鹭州人社”微信公众号在线申请，也可以到参保所在区社保中心窗口现场申请。"
    "在线申请的，申请人只需填报本人社会保障卡号和证书编号，不需要提交纸质材料。"
    "市社保中心自受理之日起15个工作日内完成审核，审核不通过的，通过短信告知申请人并说明理由。"
    "企业职工应当在证书核发之日起12个月内提出申请，逾期不予受理。"
    "证书信息无法在线核验的，申请人需要上传证书原件照片。"
)


def test_the_two_best_sentences_are_quoted_with_what_lies_between_them_cut() -> None:
    words = [("在线", 2.0), ("材料", 3.0), ("证书", 1.0)]
    excerpt = best_excerpt(GUIDE, "在线申请要交什么材料？", words, limit=110)
    first, second = excerpt.text.split("…")
    assert first.startswith("在线申请的") and second.startswith("证书信息无法在线核验的")
    assert excerpt.cut_before and not excerpt.cut_after
    assert first in GUIDE and second in GUIDE

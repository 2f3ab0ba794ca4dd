"""Write the sample documents in tests/data; run once with `python tests/data/make_samples.py`, commit the output.

The documents are invented (青川市 does not exist) and written in the style of municipal policy notices.
Text files are generated too, so their encodings (GBK, UTF-8 with BOM) are exact and reproducible.
"""

from __future__ import annotations

import random
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = Path(__file__).parent

GBK_NOTICE = """\
青川市人民政府办公室关于印发青川市支持中小微企业纾困发展若干措施的通知
青府办发〔2021〕7号
各县（市、区）人民政府，市政府各部门、各直属机构：
　　《青川市支持中小微企业纾困发展若干措施》已经市人民政府同意，现印发给你们，请认真贯彻执行。
青川市人民政府办公室
2021年3月5日
青川市支持中小微企业纾困发展若干措施
一、加大财税支持力度
（一）落实减税降费政策
1．全面落实小规模纳税人增值税减免政策。
（1）对月销售额15万元以下的小规模纳税人免征增值税，确保政策红利直达市场主体。（牵头单位：市财政局；责任单位：市税务局、各县〔市、区〕人民政府）
（2）对符合条件的小型微利企业，年应纳税所得额不超过100万元的部分，在现行优惠政策基础上再减半征收企业所得税。（牵头单位：市税务局；责任单位：市财政局）
二、强化金融服务保障
（一）扩大普惠小微贷款投放。鼓励驻市银行业金融机构单列小微企业信贷计划，力争全年普惠型小微企业贷款增速不低于各项贷款增速。（牵头单位：市金融办；责任单位：人行青川市中心支行、青川银保监分局）
"""

FULLWIDTH_UNITS = """\
青川市人民政府关于进一步做好稳就业工作的实施意见
青府发〔2022〕3号
一、支持高校毕业生就业创业
（一）扩大基层就业规模。统筹实施“三支一扶”等基层服务项目，开发一批乡村振兴、社区服务岗位。（牵头单位：市教育局、市人力资源社会保障局；责任单位：市财政局，各县（市、区）人民政府）
（二）稳定公共部门岗位规模。事业单位空缺岗位优先招聘高校毕业生。（牵头单位：市委组织部、市人力资源社会保障局；责任单位：市国资委，各县（市、区）人民政府）
"""

PAGE_WITH_NAV = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>青川市人民政府办公室关于做好2021年春季农业生产工作的通知_青川市人民政府门户网站</title>
<style>.nav li { float: left; } .STYLE-MARKER { color: red; }</style>
<script>var tracker = "SCRIPT-IN-HEAD";</script>
</head>
<body>
<div class="header"><div class="logo">青川市人民政府门户网站</div><div class="login">用户登录 | 注册</div></div>
<div id="nav" class="nav">
  <ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
</div>
<div class="main">
  <div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政策文件</div>
  <div class="article">
    <h1>青川市人民政府办公室关于做好2021年春季农业生产工作的通知</h1>
    <div class="info">发布日期：2021-03-08　来源：市政府办公室</div>
    <div class="TRS_Editor">
      <p>青府办发〔2021〕9号</p>
      <p>各县（市、区）人民政府，市政府各部门：</p>
      <p>　　为切实抓好春季农业生产，确保粮食面积和产量稳定，经市人民政府同意，现就有关事项通知如下：</p>
      <p>　　一、稳定粮食播种面积</p>
      <p>　　（一）压实粮食生产责任。将粮食播种面积和产量目标任务分解到县、乡两级。（牵头单位：市农业农村局；责任单位：各县〔市、区〕人民政府）</p>
      <p>　　二、抓好春耕物资供应</p>
      <p>　　（一）保障化肥、种子等农资供应，严厉打击制售假劣农资行为。<br>（牵头单位：市供销社；责任单位：市市场监管局）</p>
      <table>
        <tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>完成时限</th></tr>
        <tr><td>1</td><td>分解粮食生产目标任务</td><td>市农业农村局</td><td>2021年3月底前</td></tr>
        <tr><td>2</td><td>开展农资打假专项行动</td><td>市市场监管局</td><td>2021年5月底前</td></tr>
      </table>
      <p style="text-align: right">青川市人民政府办公室</p>
      <p style="text-align: right">2021年3月8日</p>
    </div>
    <div class="share">分享到：微信 微博 QQ空间</div>
  </div>
  <div class="sidebar"><h3>相关文件推荐</h3><ul><li>青川市春季森林防火工作方案</li></ul></div>
</div>
<footer class="site-footer">主办单位：青川市人民政府办公室　网站标识码：5100000001　青ICP备00000000号</footer>
<script>document.write("SCRIPT-IN-BODY");</script>
</body>
</html>
"""


def _smart_tag_date(paragraph, text: str) -> None:
    """A date wrapped in a Word 2003 smart tag, as old government templates store it (python-docx skips these)."""
    tag = OxmlElement("w:smartTag")
    tag.set(qn("w:uri"), "urn:schemas-microsoft-com:office:smarttags")
    tag.set(qn("w:element"), "chsdate")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    tag.append(run)
    paragraph._p.append(tag)


def _merge_down(table, col: int, first: int, last: int) -> None:
    table.cell(first, col).merge(table.cell(last, col))


def make_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("青川市人民政府关于加快推进数字经济发展的实施意见", level=1)
    document.add_paragraph("青府发〔2021〕12号")
    document.add_paragraph("各县（市、区）人民政府，市政府各部门：")
    document.add_paragraph("为加快推进数字经济发展，结合我市实际，提出如下实施意见。")
    document.add_heading("一、总体要求", level=2)
    document.add_paragraph("到2025年，全市数字经济核心产业增加值占地区生产总值比重达到10%。")
    document.add_heading("二、重点任务", level=2)
    # Word auto-numbering (numPr via the List Number style): the number itself is not in the text
    document.add_paragraph(
        "加快新型基础设施建设，实现5G网络乡镇以上全覆盖。（牵头单位：市经济和信息化局；责任单位：市通信发展办）",
        style="List Number",
    )
    document.add_paragraph("推动产业数字化转型，培育一批智能工厂和数字化车间。", style="List Number")
    document.add_paragraph("附件：重点任务分工表")
    table = document.add_table(rows=4, cols=4)
    rows = [
        ("序号", "工作任务", "牵头单位", "完成时限"),
        ("1", "建设5G基站1000个", "市经济和信息化局", "2021年12月底前"),
        ("2", "建成智能工厂5个", "", "2022年6月底前"),
        ("3", "推进政务数据共享", "市大数据局", "长期坚持"),
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    _merge_down(table, 2, 1, 2)  # one 牵头单位 for tasks 1 and 2, as such tables usually have
    document.add_paragraph("青川市人民政府")
    _smart_tag_date(document.add_paragraph(), "2021年6月1日")
    document.core_properties.author = "青川市人民政府办公室"
    document.save(path)


def main() -> None:
    (HERE / "gbk_notice.txt").write_bytes(GBK_NOTICE.encode("gbk"))
    (HERE / "fullwidth_units.txt").write_bytes(FULLWIDTH_UNITS.encode("utf-8-sig"))
    (HERE / "page_with_nav.html").write_text(PAGE_WITH_NAV, encoding="utf-8")
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(256))
    (HERE / "unknown.xyz").write_text("青川市 sample in an unsupported format\n", encoding="utf-8")
    make_docx(HERE / "sample.docx")


if __name__ == "__main__":
    main()

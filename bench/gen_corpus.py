"""Write a deterministic corpus of realistic Chinese policy documents, and questions about it, for benchmarks.

python bench/gen_corpus.py --docs 1000 --seed 0 --out /tmp/gen-corpus
python bench/gen_corpus.py --docs 1000 --out /tmp/gen-corpus --questions /tmp/gen-questions.jsonl
python bench/gen_corpus.py --docs 200 --out /tmp/gen-corpus --check 200   # parse them back: chunks per document

Document i depends only on (seed, i), so a 100-document corpus is the first tenth of the 1,000-document one.
Every sentence is composed from the document's own place, theme, years, amounts and units: the index reuses
embeddings by text hash, and paragraphs repeated across documents would flatter it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

YEARS = tuple(range(2015, 2026))
CN_NUMERALS = "零一二三四五六七八九"
HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";"})
# mean sizes at size factor 1.0, tuned so the chunker makes ~100 chunks per document (see --check)
TASKS_PER_DOC = 38
SUPPORT_PER_DOC = 10
SAFEGUARDS_PER_DOC = 4
ITEM_HEADING_DRAWS = 60

# --- places: province name, 文号 abbreviation, 府/政 style, ascii, capital, the prefectures under it --------------------
PROVINCES = """
贵州省 黔 府 guizhou 贵阳 市（州）
湖南省 湘 政 hunan 长沙 市州
四川省 川 府 sichuan 成都 市（州）
云南省 云 政 yunnan 昆明 州（市）
江西省 赣 府 jiangxi 南昌 设区市
湖北省 鄂 政 hubei 武汉 市（州）
安徽省 皖 政 anhui 合肥 市
河南省 豫 政 henan 郑州 省辖市
福建省 闽 政 fujian 福州 设区市
陕西省 陕 政 shaanxi 西安 设区市
浙江省 浙 政 zhejiang 杭州 市
山东省 鲁 政 shandong 济南 市
江苏省 苏 政 jiangsu 南京 设区市
广东省 粤 府 guangdong 广州 地级以上市
"""
# province, city, 文号 abbreviation, ascii, districts / counties / development zones
CITIES = """
贵州省 贵阳市 筑 guiyang 云岩区 南明区 观山湖区 花溪区 贵阳国家高新技术产业开发区
贵州省 遵义市 遵 zunyi 红花岗区 汇川区 播州区 仁怀市 湄潭县 新蒲新区
贵州省 六盘水市 六盘水 liupanshui 钟山区 水城区 盘州市 六枝特区 六盘水高新区
贵州省 安顺市 安 anshun 西秀区 平坝区 普定县 安顺经济技术开发区
贵州省 毕节市 毕 bijie 七星关区 大方县 黔西市 金沙县 毕节高新区
贵州省 铜仁市 铜 tongren 碧江区 万山区 江口县 松桃县 铜仁高新区
湖南省 长沙市 长 changsha 芙蓉区 岳麓区 雨花区 浏阳市 长沙经济技术开发区
湖南省 株洲市 株 zhuzhou 天元区 芦淞区 醴陵市 株洲高新区
湖南省 湘潭市 潭 xiangtan 雨湖区 岳塘区 湘潭县 湘潭综合保税区
湖南省 衡阳市 衡 hengyang 蒸湘区 珠晖区 耒阳市 衡阳高新区
湖南省 常德市 常 changde 武陵区 鼎城区 津市市 常德经济技术开发区
四川省 成都市 成 chengdu 锦江区 武侯区 双流区 简阳市 成都高新区 天府新区
四川省 绵阳市 绵 mianyang 涪城区 游仙区 江油市 绵阳科技城新区
四川省 宜宾市 宜 yibin 翠屏区 叙州区 南溪区 宜宾三江新区
四川省 泸州市 泸 luzhou 江阳区 龙马潭区 纳溪区 泸州高新区
云南省 昆明市 昆 kunming 五华区 盘龙区 呈贡区 昆明经济技术开发区
云南省 曲靖市 曲 qujing 麒麟区 沾益区 宣威市 曲靖经济技术开发区
云南省 玉溪市 玉 yuxi 红塔区 江川区 澄江市 玉溪高新区
江西省 南昌市 洪 nanchang 东湖区 青山湖区 南昌高新区 赣江新区
江西省 赣州市 赣市 ganzhou 章贡区 南康区 赣县区 赣州经济技术开发区
江西省 九江市 九 jiujiang 浔阳区 濂溪区 瑞昌市 九江经济技术开发区
湖北省 武汉市 武 wuhan 江岸区 洪山区 东湖新技术开发区 武汉经济技术开发区
湖北省 襄阳市 襄 xiangyang 襄城区 樊城区 枣阳市 襄阳高新区
安徽省 合肥市 合 hefei 蜀山区 包河区 肥西县 合肥高新区
安徽省 芜湖市 芜 wuhu 镜湖区 鸠江区 繁昌区 芜湖经济技术开发区
河南省 郑州市 郑 zhengzhou 金水区 中原区 郑东新区 郑州航空港经济综合实验区
河南省 洛阳市 洛 luoyang 涧西区 洛龙区 偃师区 洛阳高新区
福建省 福州市 榕 fuzhou 鼓楼区 仓山区 长乐区 福州新区
福建省 泉州市 泉 quanzhou 丰泽区 晋江市 石狮市 泉州台商投资区
陕西省 宝鸡市 宝 baoji 渭滨区 金台区 陈仓区 宝鸡高新区
陕西省 汉中市 汉 hanzhong 汉台区 南郑区 城固县 汉中经济技术开发区
浙江省 杭州市 杭 hangzhou 上城区 西湖区 滨江区 余杭区
浙江省 湖州市 湖 huzhou 吴兴区 南浔区 德清县 长兴县
山东省 济南市 济 jinan 历下区 槐荫区 章丘区 济南高新区
山东省 潍坊市 潍 weifang 奎文区 寿光市 诸城市 潍坊高新区
江苏省 南京市 宁 nanjing 玄武区 江宁区 浦口区 江北新区
江苏省 扬州市 扬 yangzhou 广陵区 邗江区 江都区 仪征市
广东省 广州市 穗 guangzhou 天河区 黄埔区 番禺区 南沙区
广东省 佛山市 佛 foshan 禅城区 南海区 顺德区 三水区
"""
# city, county, 文号 abbreviation, ascii, towns and streets
COUNTIES = """
遵义市 湄潭县 湄 meitan 湄江街道 永兴镇 兴隆镇 鱼泉街道
遵义市 仁怀市 仁 renhuai 茅台镇 中枢街道 坛厂街道 鲁班街道
遵义市 绥阳县 绥 suiyang 洋川街道 郑场镇 温泉镇 蒲场镇
遵义市 赤水市 赤 chishui 市中街道 大同镇 丙安镇 复兴镇
贵阳市 修文县 修 xiuwen 龙场街道 扎佐街道 六屯镇 久长街道
贵阳市 开阳县 开 kaiyang 城关镇 双流镇 南江乡 龙岗镇
六盘水市 盘州市 盘 panzhou 亦资街道 红果街道 刘官街道 柏果镇
毕节市 大方县 方 dafang 顺德街道 羊场镇 猫场镇 东关乡
长沙市 浏阳市 浏 liuyang 淮川街道 永安镇 大瑶镇 官渡镇
株洲市 醴陵市 醴 liling 来龙门街道 浦口镇 王仙镇 白兔潭镇
衡阳市 耒阳市 耒 leiyang 蔡子池街道 灶市街街道 哲桥镇 大市镇
绵阳市 江油市 油 jiangyou 中坝街道 太白镇 青莲镇 武都镇
成都市 简阳市 简 jianyang 射洪坝街道 石桥街道 贾家镇 平泉街道
曲靖市 宣威市 宣 xuanwei 宛水街道 板桥街道 虹桥街道 务德镇
九江市 瑞昌市 瑞 ruichang 湓城街道 桂林街道 码头镇 范镇
襄阳市 枣阳市 枣 zaoyang 北城街道 南城街道 吴店镇 兴隆镇
合肥市 肥西县 肥 feixi 上派镇 三河镇 桃花镇 紫蓬镇
泉州市 晋江市 晋 jinjiang 青阳街道 陈埭镇 安海镇 磁灶镇
湖州市 德清县 德 deqing 武康街道 新市镇 乾元镇 洛舍镇
潍坊市 寿光市 寿 shouguang 圣城街道 古城街道 稻田镇 侯镇
扬州市 仪征市 仪 yizheng 真州镇 新集镇 月塘镇 刘集镇
"""
# the units a document names, by key: province / city / county wording; the place's level word goes in front
UNITS = """
发展改革 发展改革委 发展改革委 发展改革局
工信 工业和信息化厅 工业和信息化局 工业和信息化局
科技 科技厅 科技局 科技局
财政 财政厅 财政局 财政局
自然资源 自然资源厅 自然资源局 自然资源局
人社 人力资源社会保障厅 人力资源社会保障局 人力资源社会保障局
商务 商务厅 商务局 商务局
农业 农业农村厅 农业农村局 农业农村局
文旅 文化和旅游厅 文化旅游局 文化旅游局
市场监管 市场监管局 市场监管局 市场监管局
生态环境 生态环境厅 生态环境局 生态环境局
住建 住房城乡建设厅 住房城乡建设局 住房城乡建设局
交通 交通运输厅 交通运输局 交通运输局
教育 教育厅 教育局 教育局
卫健 卫生健康委 卫生健康委 卫生健康局
应急 应急厅 应急管理局 应急管理局
投促 投资促进局 投资促进局 投资促进局
大数据 大数据局 大数据发展管理局 大数据发展中心
金融 地方金融监管局 地方金融监管局 金融服务中心
统计 统计局 统计局 统计局
水务 水利厅 水务局 水务局
林业 林业局 林业局 林业局
能源 能源局 能源局 能源局
民政 民政厅 民政局 民政局
乡村振兴 乡村振兴局 乡村振兴局 乡村振兴局
政务服务 政务服务中心 政务服务中心 政务服务中心
税务 税务局 税务局 税务局
督查 政府督查室 政府督查室 政府督查室
组织部 委组织部 委组织部 委组织部
宣传部 委宣传部 委宣传部 委宣传部
统战部 委统战部（{lw}民宗委） 委统战部（{lw}民宗委） 委统战部（{lw}民宗局）
编办 委编办 委编办 委编办
"""
# departments that issue documents: city name, province name, 文号 code, ascii, unit key, the themes they write on
DEPARTMENTS = """
发展和改革委员会 发展和改革委员会 发改 fagai 发展改革 *
工业和信息化局 工业和信息化厅 工信发 gongxin 工信 中小企业 数字经济 新能源汽车 绿色低碳
科学技术局 科学技术厅 科发 keji 科技 科技创新 人才引进
商务局 商务厅 商发 shangwu 商务 招商引资 现代物流
农业农村局 农业农村厅 农发 nongye 农业 乡村振兴 现代农业 特色小镇
人力资源和社会保障局 人力资源和社会保障厅 人社发 renshe 人社 就业创业 人才引进
文化和旅游局 文化和旅游厅 文旅发 wenlv 文旅 文化旅游
"""

# --- themes: name and its work / title phrases / fields / enterprises / platforms / task headings / lead unit keys / metrics ---------
THEMES = """
特色小镇 特色小镇发展
加快推动特色小镇和小城镇高质量发展|推进特色小镇规范健康发展|加快特色小城镇建设
特色产业 小城镇基础设施 公共服务设施 镇村联动 特色风貌 智慧小镇
入驻小镇企业 小镇运营主体 返乡创业人员 文旅康养企业
特色小镇 示范小城镇 特色小城镇 小镇客厅
着力实施分类推进|着力强化规划引领|完善小城镇基础设施|提升公共服务水平|做精做强主导产业|推进镇村联动发展|开展环境综合整治|彰显特色风貌
发展改革 住建 自然资源
省级以上特色小镇,个,3,20|示范小城镇,个,5,40|特色小城镇常住人口,万人,5,40

乡村振兴 乡村振兴工作
全面推进乡村振兴|加快推进乡村振兴战略实施|巩固拓展脱贫攻坚成果同乡村振兴有效衔接
乡村产业 农村人居环境 乡村治理 农村基础设施 农村集体经济 乡村人才
农民专业合作社 家庭农场 农业产业化龙头企业 返乡入乡创业人员
乡村振兴示范村 田园综合体 农村产业融合发展示范园 现代农业产业园
发展壮大乡村特色产业|实施农村人居环境整治提升行动|加强农村基础设施建设|发展壮大村级集体经济|加强乡村人才队伍建设|推进乡村治理体系建设|防止规模性返贫|深化农村综合改革
农业 乡村振兴 自然资源
农村居民人均可支配收入,元,12000,25000|乡村振兴示范村,个,10,100|村级集体经济收入10万元以上的村占比,%,40,90

中小企业 中小企业发展
支持中小企业发展|促进中小企业健康发展|推动中小企业专精特新发展
专精特新 中小企业公共服务 融资担保 数字化转型 小微企业创业创新 产业链协作
中小企业 小微企业 专精特新企业 个体工商户
中小企业公共服务平台 小微企业创业创新基地 中小企业产业园 融资信用服务平台
培育专精特新企业梯队|缓解中小企业融资难题|推动中小企业数字化转型|健全中小企业服务体系|促进大中小企业融通发展|支持中小企业开拓市场|保障中小企业款项支付|减轻中小企业经营负担
工信 市场监管 金融
专精特新中小企业,家,30,300|国家级专精特新“小巨人”企业,家,3,30|规模以上工业企业,家,200,1500

数字经济 数字经济发展
加快数字经济发展|推动数字经济高质量发展|促进数字经济和实体经济深度融合
大数据 云计算 人工智能 工业互联网 数据中心 软件和信息技术服务 电子信息制造 5G应用
大数据企业 软件企业 数字化转型服务商 电子信息制造企业
大数据产业园 软件园 数据中心集群 数字经济产业园
推进数字产业化|推动产业数字化转型|加快新型基础设施建设|培育数据要素市场|深化数字政府建设|拓展数字化应用场景|壮大数字经济市场主体|建设数字经济产业园区
大数据 工信 发展改革
数字经济增加值,亿元,100,1500|数字经济占地区生产总值比重,%,25,45|5G基站,个,2000,20000

科技创新 科技创新工作
加快推进科技创新|强化企业科技创新主体地位|建设区域科技创新高地
关键核心技术 科技成果转化 研发平台 知识产权 科技金融 创新创业
高新技术企业 科技型中小企业 新型研发机构 高等院校和科研院所
重点实验室 工程技术研究中心 科技企业孵化器 众创空间
强化企业创新主体地位|建设高水平创新平台|加快科技成果转移转化|实施关键核心技术攻关|加强知识产权保护和运用|深化科技体制改革|发展科技金融|优化创新创业生态
科技 发展改革 工信
全社会研发经费投入强度,%,1,3|高新技术企业,家,100,1500|技术合同成交额,亿元,10,200

招商引资 招商引资工作
进一步加强招商引资工作|推动招商引资高质量发展|强化产业大招商
产业链招商 以商招商 精准招商 重大项目 总部经济 飞地经济
新落户企业 重大招商项目 外资企业 总部企业
产业园区 招商引资项目库 投资促进服务中心 重点开发区
聚焦重点产业链精准招商|创新招商方式|强化重大项目引进|完善项目落地服务|加强招商队伍建设|健全招商激励机制|优化园区承载能力|规范招商引资行为
投促 商务 发展改革
招商引资到位资金,亿元,200,1500|新引进亿元以上项目,个,30,200|实际使用外资,亿美元,1,10

就业创业 就业创业工作
进一步稳定和扩大就业|促进高质量充分就业|支持大众创业万众创新
高校毕业生就业 农民工就业 创业担保贷款 职业技能培训 公共就业服务 灵活就业
高校毕业生 返乡创业人员 就业困难人员 退役军人
创业孵化基地 返乡创业园 公共实训基地 零工市场
稳定和扩大就业岗位|支持高校毕业生就业|促进农民工就业创业|强化创业扶持|开展大规模职业技能培训|加强就业困难人员帮扶|提升公共就业服务能力|支持多渠道灵活就业
人社 财政 教育
城镇新增就业,万人,2,15|职业技能培训,万人次,2,20|创业孵化基地,个,5,40

文化旅游 文化旅游发展
加快文化旅游产业高质量发展|推动文旅深度融合发展|促进文化和旅游消费
全域旅游 乡村旅游 红色旅游 文创产品 夜间经济 康养旅游 非物质文化遗产
文化旅游企业 旅行社 星级饭店 民宿经营者
A级旅游景区 旅游度假区 文化产业园 特色街区
推进全域旅游发展|打造精品旅游线路|推动文旅深度融合|丰富文化旅游产品供给|提升旅游服务质量|拓展文化和旅游消费|加强文化遗产保护利用|培育文化旅游市场主体
文旅 发展改革 商务
旅游总收入,亿元,200,2000|接待游客,万人次,1000,10000|国家4A级以上旅游景区,个,5,40

新能源汽车 新能源汽车产业发展
加快新能源汽车产业发展|推动新能源汽车推广应用|促进新能源汽车产业高质量发展
动力电池 整车制造 充电基础设施 电机电控 智能网联汽车 关键零部件
新能源汽车生产企业 动力电池企业 零部件配套企业 充电设施运营企业
新能源汽车产业园 充电站 换电站 检测认证中心
做大做强整车制造|完善动力电池产业链|加快充电基础设施建设|推动公共领域车辆电动化|发展智能网联汽车|强化关键零部件配套|推进动力电池回收利用|优化新能源汽车使用环境
工信 发展改革 交通
新能源汽车产量,万辆,1,30|公共充电桩,个,1000,20000|新能源汽车产业产值,亿元,50,800

现代农业 现代农业发展
加快发展现代高效农业|推进农业产业化经营|推动农业现代化
茶产业 生态畜牧业 蔬菜 食用菌 中药材 精品水果 农产品加工 冷链物流
农业产业化龙头企业 农民专业合作社 家庭农场 种养大户
现代农业产业园 农业科技园区 标准化生产基地 农产品批发市场
推进农业产业结构调整|建设标准化生产基地|培育新型农业经营主体|发展农产品精深加工|完善农产品冷链物流体系|加强农产品品牌建设|推进农业科技创新|加强高标准农田建设
农业 商务 林业
农业总产值,亿元,100,800|市级以上农业产业化龙头企业,家,50,300|农产品加工转化率,%,50,75

营商环境 营商环境建设
持续优化营商环境|打造市场化法治化国际化营商环境|深化“放管服”改革优化营商环境
政务服务 企业开办 工程建设项目审批 不动产登记 社会信用体系 涉企收费
市场主体 中小微企业 个体工商户 投资项目单位
政务服务大厅 “一网通办”平台 企业服务中心 政务服务便民热线
提升企业开办便利度|深化工程建设项目审批制度改革|提升政务服务效能|加强社会信用体系建设|推进公正监管|规范涉企收费|保护市场主体合法权益|构建亲清政商关系
政务服务 市场监管 发展改革
政务服务事项网上可办率,%,90,99|新增市场主体,万户,1,10|“一件事一次办”事项,项,20,200

人才引进 人才工作
加强人才引进培养|实施人才强{lw}战略|进一步加强高层次人才队伍建设
高层次人才 急需紧缺人才 技能人才 青年人才 柔性引才 人才服务
引进人才 用人单位 博士后科研工作站 高技能人才
人才公寓 人才驿站 博士后创新实践基地 人才创新创业园
大力引进高层次人才|加快培养急需紧缺人才|实施青年人才集聚工程|加强技能人才队伍建设|创新人才评价机制|搭建人才发展平台|优化人才服务保障|推进柔性引才用才
组织部 人社 科技
新引进各类人才,人,1000,20000|高层次人才,人,100,2000|高技能人才,万人,1,10

绿色低碳 绿色低碳发展
推动绿色低碳发展|加快建立健全绿色低碳循环发展经济体系|推进碳达峰碳中和工作
清洁能源 节能降碳 循环经济 绿色建筑 绿色交通 生态产品价值实现
重点用能企业 绿色制造企业 节能环保企业 资源综合利用企业
绿色工厂 绿色园区 循环经济产业园 光伏电站
推动产业结构绿色转型|构建清洁低碳能源体系|推进重点领域节能降碳|发展循环经济|推广绿色建筑|构建绿色交通运输体系|提升生态系统碳汇能力|健全绿色低碳政策体系
发展改革 生态环境 工信
非化石能源消费比重,%,15,40|绿色工厂,家,10,100|可再生能源装机容量,万千瓦,50,800

现代物流 现代物流发展
加快现代物流业发展|推动物流业降本增效|建设区域物流枢纽
多式联运 冷链物流 电子商务物流 城乡配送 智慧物流 物流枢纽
物流企业 快递企业 供应链服务企业 冷链运输企业
物流园区 公共配送中心 公路港 无水港
建设现代物流枢纽|发展多式联运|完善城乡配送体系|发展冷链物流|推进智慧物流建设|培育物流市场主体|降低物流成本|推动物流业与制造业融合
商务 交通 发展改革
社会物流总额,亿元,500,5000|A级物流企业,家,10,100|冷库库容,万吨,5,80
"""

# --- sentence templates: every one names something of the document's own (place, area, year or amount) --------------
TASK_SENTENCES = """
围绕{noun}、{noun2}等重点领域，{verb}实施一批强基础、增后劲的重大项目，到{y2}年累计建成{carrier}{n}个。
支持{area}依托现有产业基础建设{carrier}，引导{subject}向园区集聚，力争到{y2}年形成{n2}个产值超{big}亿元的产业集群。
鼓励{subject}加大{noun}领域投入，对年度投资额超过{inv}万元的项目，优先纳入{lw}级重点项目库。
建立{noun}重点项目清单和责任清单，实行“一个项目、一名领导、一个专班”推进机制，每{period}调度一次{area}等地项目进展。
推动{noun}与{noun2}融合发展，到{y2}年培育{n2}家以上具有较强竞争力的{subject}。
在{area}开展{noun}试点示范，{y1}年底前总结推广一批可复制、可推广的经验做法。
加强与{partner}的交流合作，共建{carrier}，力争每年引进{noun}领域项目{n}个以上。
组织开展{noun}专题培训和产需对接活动，每年不少于{n}场次，服务{subject}{visits}家次以上。
完善{noun}统计监测制度，按{period}编制{pshort}{work}监测报告。
推进{noun}标准化建设，到{y2}年制定出台{n2}项以上{lw}级地方标准或团体标准。
实施{area}{noun}提升行动，到{y2}年实现{area2}{noun2}全覆盖。
瞄准{noun}行业龙头企业和上下游配套企业开展精准招商，力争到{y2}年引进项目{n}个、总投资{big}亿元以上。
整合{lw}级{noun}相关资金{fund}万元，集中支持{carrier}建设和{subject}培育。
引导金融机构开发适合{subject}的信贷产品，{y1}年新增{noun}领域贷款{big}亿元以上。
推动{area}、{area2}错位发展，形成各具特色、优势互补的{noun}发展格局。
开展{noun}“{slogan}”专项行动，{y1}年底前完成{area}等地{n}个重点项目建设。
依托{area}{carrier}搭建{noun}供需对接平台，年内促成合作项目{n}个以上。
压实{area}{noun}领域安全生产责任，{y1}年起每{period}开展一次隐患排查。
{lw}直有关部门要按照职责分工制定{noun}专项工作方案，于{y1}年{month}月底前报{gov}。
支持{subject}参与{noun}标准制定，对主导制定国家标准、行业标准的，分别给予{amt}万元、{amt_half}万元奖励。
到{y2}年，{area}{noun}产业规模达到{big}亿元，带动就业{jobs}人以上。
完善{area}{noun}项目用地、用能、用水等要素保障，对总投资{inv}万元以上的项目开辟审批“绿色通道”。
探索“{model}”模式，推动{subject}与{subject2}在{area}建立紧密型利益联结机制。
加快{area}{carrier}建设，{y1}年完成投资{big}亿元，力争{y2}年建成投用。
建立{pshort}{noun}工作协调机制，每{period}研究解决{subject}发展中的困难和问题，{y1}年协调解决事项不少于{n}件。
实施{noun}领军企业培育计划，遴选{n}家成长性好的{subject}进行重点培育，“一企一策”给予精准支持。
推进{noun}数字化、智能化改造，到{y2}年{scope}{subject}数字化改造覆盖率达到{pct}%以上。
加强{noun}领域人才培养，支持{area}职业院校开设相关专业，每年培养技术技能人才{jobs}人。
"""
ITEM_HEADINGS = """
实施{noun}培育工程
开展{noun}示范创建
建设{area}{carrier}
推进{noun}重点项目建设
引进培育{noun}龙头企业
完善{noun}配套服务体系
打造{area}{noun}集聚区
实施{noun}技术改造
"""
PRINCIPLES = """
政府引导，市场主导
创新驱动，融合发展
因地制宜，分类施策
问题导向，精准施策
统筹协调，重点突破
绿色发展，生态优先
开放合作，共建共享
改革创新，先行先试
"""
PRINCIPLE_SENTENCES = """
充分发挥市场在资源配置中的决定性作用，更好发挥政府作用，引导{subject}成为{pshort}{work}的主体。
立足{place}资源禀赋和产业基础，突出{noun}、{noun2}等比较优势，防止一哄而上、同质竞争。
把创新摆在{pshort}{work}全局的核心位置，推动{noun}与{noun2}深度融合，到{y2}年形成{n2}个以上特色鲜明的发展板块。
坚持一张蓝图绘到底，集中力量在{area}、{area2}率先突破，以点带面推动{scope}{theme}整体提升。
牢固树立绿水青山就是金山银山理念，严守生态保护红线，推动{area}{noun}集约节约发展。
推动{area}主动融入{partner}，加强与周边地区协作，在更大范围配置{noun}资源要素。
深化{noun}领域“放管服”改革，在{area}开展先行先试，形成一批可复制可推广的制度成果。
"""
GOAL_HEADINGS = ("产业规模持续扩大", "创新能力明显增强", "发展环境持续优化", "市场主体不断壮大", "集聚效应更加凸显")
GOAL_SENTENCES = """
到{y2}年，{scope}{target}，{area}、{area2}等地{noun}发展水平明显提升。
{subject}发展活力明显增强，到{y2}年{target}，培育{n2}家以上行业领军企业。
到{y2}年，建成{carrier}{n}个，{target}，形成{noun}和{noun2}协同发展的良好格局。
"""
# support measures by kind: headings, then sentences with concrete amounts and the conditions an enterprise must meet
SUPPORT = {
    "资金": (
        "加大财政资金支持|强化财政资金引导|实施奖励补助",
        """
{lw}级财政每年安排{work}专项资金{fund}万元，采取以奖代补、贷款贴息、股权投资等方式，重点支持{area}等地{noun}项目。
对{y1}年至{y2}年期间{cond}的{subject}，给予最高{amt}万元奖励。
对{y1}年以后新认定的国家级、省级{carrier}，分别给予一次性奖励{amt}万元、{amt_half}万元。
对在{area}新建{noun}项目且当年完成固定资产投资{inv}万元以上的，按实际投资额的{pct_small}%给予补助，最高不超过{amt}万元。
""",
    ),
    "用地": (
        "强化用地保障|加大用地支持|优化土地要素供给",
        """
优先保障{area}{noun}项目用地指标，对列入{lw}级重点项目的，所需新增建设用地计划指标由{lw}级统筹安排。
对{y1}年以后{cond}的{subject}新建工业项目，土地出让底价可按不低于所在地土地等别相对应全国工业用地出让最低价标准的70%确定。
推行工业用地长期租赁、先租后让、弹性年期出让等供应方式，{area}{carrier}项目出让年期最长不超过{lease}年。
{y1}年底前盘活{area}存量低效用地{mu}亩，优先用于{noun}项目建设。
""",
    ),
    "金融": (
        "加大金融支持|强化融资支持|拓宽融资渠道",
        """
对{area}{subject}获得的{noun}项目贷款，按实际支付利息的{rate}%给予贷款贴息，单户每年贴息最高{amt}万元，贴息期限不超过{yrs_cn}年。
设立{fund}万元{pshort}{theme}企业风险补偿资金池，引导合作银行按资金池规模{x}倍放大贷款额度。
政府性融资担保机构为{area}{subject}提供融资担保，担保费率不超过{fee}%，{y1}年新增担保额{big}亿元以上。
支持{pshort}符合条件的{subject}上市挂牌，对在境内证券交易所首发上市的企业分阶段给予最高{amt}万元奖励。
""",
    ),
    "税收": (
        "落实税收优惠政策|强化税收政策支持",
        """
对经认定的高新技术企业，减按15%的税率征收企业所得税，{y1}年力争为{pshort}{subject}减税降费{big}亿元以上。
全面落实研发费用税前加计扣除政策，{area}{subject}开展{noun}研发活动实际发生的研发费用，按规定在税前加计扣除。
对{y1}年以后在{area}新注册的{subject}，符合国家鼓励类产业目录且主营业务收入占比{pct_major}%以上的，按规定享受企业所得税优惠政策。
""",
    ),
    "房租": (
        "减免场地租金|降低企业场地成本",
        """
对入驻{area}{carrier}的{subject}，自入驻之日起减免房租{yrs_cn}年，单个企业享受面积不超过{sqm}平方米。
对在{area}租用标准厂房的{subject}，按每月每平方米{rent}元的标准给予租金补贴，补贴期限不超过{yrs_cn}年。
""",
    ),
    "人才": (
        "加大人才支持|强化人才支撑",
        """
对{area}{subject}全职引进的博士研究生、硕士研究生，分别给予安家补贴{amt}万元、{amt_half}万元。
为引进到{area}工作的高层次人才提供人才公寓，符合条件的可免费入住{yrs_cn}年，{y1}年筹集人才公寓{n}0套。
为{pshort}{subject}开辟人才引进“绿色通道”，对急需紧缺的{noun}专业技术人才，可采取直接考察方式公开招聘。
""",
    ),
}
SUPPORT_WORDS = {
    "资金": "资金奖励",
    "用地": "用地",
    "金融": "融资",
    "税收": "税收优惠",
    "房租": "房租减免",
    "人才": "人才",
}
SUPPORT_LEADS = {"资金": "财政", "用地": "自然资源", "金融": "金融", "税收": "税务", "房租": "", "人才": "人社"}
CONDITIONS = """
年营业收入首次突破{rev}万元
研发投入占营业收入比重达到{rd}%以上
新认定为国家高新技术企业
在{place}注册纳税且上年度纳税额超过{tax}万元
上年度吸纳就业{hires}人以上
"""
# joined with 、 into one sentence: the chunker splits at ；, and a lone "具有独立法人资格。" would repeat across documents
ELIGIBILITY = """
具有独立法人资格
属于规模以上工业企业
上年度营业收入不低于{rev}万元
为有效期内的高新技术企业
研发投入占营业收入比重达到{rd}%以上
上年度纳税额不低于{tax}万元
吸纳就业人数不少于{hires}人
近三年未发生重大安全、环保、质量事故
纳入{lw}级重点企业培育库
"""
# safeguards: heading → (lead unit key, sentences)
SAFEGUARDS = {
    "加强组织领导": (
        "",
        """
成立由{gov}主要负责同志任组长的{pshort}{work}领导小组，领导小组办公室设在{lead}，负责统筹协调、调度推进和督促检查。
各{sublocal}要结合{pshort}{work}实际建立相应工作机制，于{y1}年{month}月底前制定具体实施方案并报{lead}备案。
""",
    ),
    "强化资金保障": (
        "财政",
        """
{lw}级财政{y1}年至{y2}年每年安排资金{fund}万元，统筹用于{noun}、{noun2}等重点任务。
积极争取中央预算内投资、地方政府专项债券等资金支持{area}{carrier}建设，{y1}年争取上级资金{fund}万元以上。
""",
    ),
    "加强督促考核": (
        "督查",
        """
将{pshort}{work}纳入{lw}委、{lw}政府目标绩效考核，每{period}通报一次{area}等地工作进展。
对{y1}年度{pshort}{work}目标任务推进不力的地区和部门，由{gov}约谈相关负责人。
""",
    ),
    "营造良好氛围": (
        "宣传部",
        """
充分利用报刊、电视、网站和政务新媒体，广泛宣传{pshort}{work}的政策举措和{area}等地的典型经验。
{pshort}每年评选{n2}个{noun}示范项目和{n}家优秀{subject}，营造全社会关心支持{work}的良好氛围。
""",
    ),
    "强化统计监测": (
        "统计",
        """
由{lw}统计局会同{lead}建立{pshort}{theme}统计指标体系，{y1}年起按季度开展监测分析。
定期发布{pshort}{noun}发展指数，{y1}年{month}月前完成{area}等地基础数据采集。
""",
    ),
    "加强队伍建设": (
        "组织部",
        """
每年组织{n}期{pshort}{theme}专题培训，选派{n2}名业务骨干到{partner}跟班学习。
充实{area}{noun}工作力量，{y1}年底前配齐配强专职工作人员{n}名。
""",
    ),
}
# a line under a section heading, so no section is a bare list of headings (those would repeat across documents)
LEAD_INS = {
    "principles": "推进{pshort}{work}，实现到{y2}年{target}的目标，必须坚持以下原则：",
    "tasks": "围绕到{y2}年{target}的目标，{verb}抓好以下重点任务：",
    "support": "对在{place}注册并符合条件的{subject}，{y0}年至{y2}年按以下政策给予支持，{lw}级财政累计安排资金{fund}万元：",
    "safeguards": "各地各部门要把{pshort}{work}摆在突出位置，{y0}年至{y2}年{lw}级财政累计安排保障资金{fund}万元，确保各项任务落地见效：",
}
WORDS = {
    "verb": "加快 大力 着力 积极 统筹 深入 持续 全力",
    "period": "月 季度 半年",
    "partner": "粤港澳大湾区 长三角地区 成渝地区双城经济圈 京津冀地区 东部沿海发达地区 “一带一路”沿线国家和地区",
    "model": "龙头企业+合作社+农户 园区+基地+企业 平台+企业 链主+配套 飞地+园区",
    "slogan": "百企引育 千企改造 万人培训 双千工程 春风行动 攻坚提升",
    "goal": "做大产业规模、提升发展质量 补齐短板弱项、增强发展后劲 培育市场主体、优化发展环境",
}
PLAN_KINDS = (("实施方案", "方案"), ("工作方案", "方案"), ("若干政策措施", "措施"), ("三年行动计划", "计划"))
GOV_NOTICES = (
    "《{plan}》已经{gov}同意，现印发给你们，请认真贯彻执行，并于{y1}年{month}月底前将落实情况报{issuer}。",
    "经{gov}同意，现将《{plan}》印发给你们，请结合实际认真抓好贯彻落实。",
    "《{plan}》已经{y0}年{month}月{day}日{gov}第{n}次常务会议审议通过，现印发给你们，请认真组织实施。",
)
OWN_NOTICES = (
    "现将《{plan}》印发给你们，请认真贯彻执行，并于{y1}年{month}月底前将落实情况报{issuer}。",
    "现将《{plan}》印发给你们，请结合实际抓好贯彻落实，{y0}年执行中遇到的问题请及时向{issuer}反馈。",
)


@dataclass(frozen=True, slots=True)
class Place:
    """A province, city or county that issues documents, with the places under it."""

    name: str
    short: str
    ascii: str
    level: str
    style: str
    areas: tuple[str, ...]
    sublocal: str
    province: str
    capital: str = ""
    parent: Place | None = None

    @property
    def plain(self) -> str:
        """The name without 省/市/县, as in 遵义银保监分局."""
        return self.name[:-1]

    @property
    def lw(self) -> str:
        """省, 市 or 县: what 全省, 我市 and 县财政局 start with (a county-level city says 市)."""
        return self.name[-1] if self.level == "县" else self.level


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who signs a document, and the 文号 prefix it numbers them with."""

    name: str
    prefix: str
    tag: str
    kind: str
    place: Place
    themes: tuple[str, ...] = ()
    unit_key: str = ""


@dataclass(frozen=True, slots=True)
class Theme:
    """What a document is about: its vocabulary, task headings, lead units and target metrics."""

    name: str
    work: str
    phrases: tuple[str, ...]
    nouns: tuple[str, ...]
    subjects: tuple[str, ...]
    carriers: tuple[str, ...]
    tasks: tuple[str, ...]
    leads: tuple[str, ...]
    metrics: tuple[tuple[str, str, float, float], ...]


@dataclass(frozen=True, slots=True)
class ClauseSpec:
    """A clause written with 牵头/责任单位: where the parser will find it and what it must extract."""

    clause_id: str
    path: str
    heading: str
    section: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    support: str = ""


@dataclass(frozen=True, slots=True)
class GeneratedDoc:
    """One generated document: its text and the facts a question about it needs as gold."""

    index: int
    file_name: str
    title: str
    notice_title: str
    doc_number: str
    issuer: str
    date: str
    place: str
    theme: str
    subjects: tuple[str, ...]
    references: tuple[tuple[str, str], ...]
    clauses: tuple[ClauseSpec, ...]
    text: str

    @property
    def doc_id(self) -> str:
        """The id the corpus gives the file: its name without .txt."""
        return self.file_name.removesuffix(".txt")


def _lines(block: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in block.strip().splitlines() if line.strip())


def _load_places() -> list[Place]:
    provinces: dict[str, Place] = {}
    cities: dict[str, Place] = {}
    counties: list[Place] = []
    city_rows = [row.split() for row in _lines(CITIES)]
    for name, short, style, ascii_name, capital, sub in (row.split() for row in _lines(PROVINCES)):
        areas = tuple(r[1] for r in city_rows if r[0] == name)
        provinces[name] = Place(name, short, ascii_name, "省", style, areas, sub, name, capital)
    for prov, name, short, ascii_name, *areas in city_rows:
        up = provinces[prov]
        cities[name] = Place(name, short, ascii_name, "市", up.style, tuple(areas), "县（市、区）", prov, parent=up)
    for city, name, short, ascii_name, *towns in (row.split() for row in _lines(COUNTIES)):
        up = cities[city]
        areas = (*towns, f"{name[:-1]}经济开发区")
        counties.append(Place(name, short, ascii_name, "县", up.style, areas, "乡（镇）、街道", up.province, parent=up))
    return [*provinces.values(), *cities.values(), *counties]


def _load_issuers(places: list[Place]) -> tuple[Issuer, ...]:
    """Each place's government and office (发 and 函 series) and, above county level, two of its departments."""
    depts = [row.split() for row in _lines(DEPARTMENTS)]
    issuers: list[Issuer] = []
    for n, p in enumerate(places):
        office = f"{p.name}人民政府{'办公厅' if p.level == '省' else '办公室'}"
        style = "fu" if p.style == "府" else "zheng"
        issuers.append(Issuer(f"{p.name}人民政府", f"{p.short}{p.style}发", f"{p.ascii}-{style}fa", "gov", p))
        issuers.append(Issuer(office, f"{p.short}{p.style}办发", f"{p.ascii}-{style}banfa", "office", p))
        if p.level == "县":
            continue
        issuers.append(Issuer(office, f"{p.short}{p.style}办函", f"{p.ascii}-{style}banhan", "office", p))
        chosen = depts[:2] if p.level == "省" else [depts[n % len(depts)], depts[(n + 3) % len(depts)]]
        for city_name, prov_name, code, ascii_name, key, *themes in chosen:
            name = p.name + (prov_name if p.level == "省" else city_name)
            own = tuple(t for t in themes if t != "*")
            issuers.append(Issuer(name, p.short + code, f"{p.ascii}-{ascii_name}", "dept", p, own, key))
    return tuple(issuers)


def _load_themes() -> dict[str, Theme]:
    themes = {}
    for block in THEMES.strip().split("\n\n"):
        names, phrases, nouns, subjects, carriers, tasks, leads, metrics = _lines(block)
        name, work = names.split()
        parsed = tuple((m, u, float(lo), float(hi)) for m, u, lo, hi in (x.split(",") for x in metrics.split("|")))
        themes[name] = Theme(
            name,
            work,
            tuple(phrases.split("|")),
            tuple(nouns.split()),
            tuple(subjects.split()),
            tuple(carriers.split()),
            tuple(tasks.split("|")),
            tuple(leads.split()),
            parsed,
        )
    return themes


ISSUERS = _load_issuers(_load_places())
THEME_TABLE = _load_themes()
UNIT_TABLE = {key: (prov, city, county) for key, prov, city, county in (r.split() for r in _lines(UNITS))}
SCALE = {"省": 8.0, "市": 1.0, "县": 0.15}
AMOUNTS = {"省": (100, 200, 300, 500, 1000), "市": (20, 30, 50, 100, 200), "县": (5, 10, 20, 30, 50)}


def _nice(x: float) -> int:
    """Round to two significant digits, the way targets and amounts are written."""
    if x < 10:
        return max(1, round(x))
    digits = 10 ** (int(math.log10(x)) - 1)
    return int(round(x / digits) * digits)


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十: how headings are numbered."""
    if n < 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMERALS[tens]) + "十" + (CN_NUMERALS[ones] if ones else "")


def _cn_date(year: int, month: int, day: int) -> str:
    """2020, 7, 13 → 二〇二〇年七月十三日, the form some offices sign with."""
    digits = "".join("〇一二三四五六七八九"[int(d)] for d in str(year))
    return f"{digits}年{_cn_number(month)}月{_cn_number(day)}日"


class _Slots(dict[str, str]):
    """Template fields filled on first use, so a sentence that names an area twice names the same one."""

    def __init__(self, writer: _Writer, **preset: str) -> None:
        super().__init__(preset)
        self._writer = writer

    def __missing__(self, key: str) -> str:
        value = str(self._writer.fillers[key](self))
        self[key] = value
        return value


class _Writer:
    """One document being composed: its random stream, place, theme, units, and the lines written so far."""

    def __init__(self, rng: random.Random, issuer: Issuer, theme: Theme, year: int) -> None:
        self.rng = rng
        self.issuer = issuer
        self.place = issuer.place
        self.theme = theme
        self.year = year
        self.scale = SCALE[self.place.level]
        self.lines: list[str] = []
        self.specs: list[ClauseSpec] = []
        self.sublocal_units = self._sublocal_units()
        self.fillers = self._fillers()

    def _fillers(self) -> dict[str, Callable[[_Slots], object]]:
        r, p, t = self.rng, self.place, self.theme
        words = {k: v.split() for k, v in WORDS.items()}
        fillers: dict[str, Callable[[_Slots], object]] = {
            "place": lambda s: p.name,
            "pshort": lambda s: p.plain,
            "lw": lambda s: p.lw,
            "scope": lambda s: f"全{p.lw}",
            "gov": lambda s: f"{p.lw}人民政府",
            "issuer": lambda s: self.issuer.name,
            "sublocal": lambda s: p.sublocal,
            "theme": lambda s: t.name,
            "work": lambda s: t.work,
            "area": lambda s: r.choice(p.areas),
            "area2": lambda s: self._other(p.areas, s.get("area")),
            "noun": lambda s: r.choice(t.nouns),
            "noun2": lambda s: self._other(t.nouns, s.get("noun")),
            "subject": lambda s: r.choice(t.subjects),
            "subject2": lambda s: self._other(t.subjects, s.get("subject")),
            "carrier": lambda s: r.choice(t.carriers),
            "n": lambda s: r.randint(3, 20),
            "n2": lambda s: r.randint(2, 9),
            "visits": lambda s: _nice(r.randint(100, 3000)),
            "big": lambda s: _nice(r.randint(5, 200) * self.scale),
            "inv": lambda s: _nice(r.randint(500, 20000) * self.scale),
            "fund": lambda s: _nice(r.randint(300, 5000) * self.scale),
            "jobs": lambda s: _nice(r.randint(300, 8000) * self.scale),
            "hires": lambda s: r.choice((20, 30, 50, 100, 200)),
            "mu": lambda s: _nice(r.randint(50, 2000)),
            "amt": lambda s: r.choice(AMOUNTS[p.level]),
            "amt_half": lambda s: int(s["amt"]) // 2,
            "pct": lambda s: r.randint(30, 90),
            "pct_small": lambda s: r.choice((5, 8, 10, 15, 20)),
            "pct_major": lambda s: r.choice((60, 70)),
            "rate": lambda s: r.choice((30, 50, 60, 100)),
            "fee": lambda s: r.choice(("0.5", "0.8", "1")),
            "x": lambda s: r.choice((5, 8, 10)),
            "lease": lambda s: r.choice((10, 20)),
            "sqm": lambda s: r.randint(2, 20) * 100,
            "rent": lambda s: r.randint(5, 20),
            "yrs_cn": lambda s: r.choice("两三五"),
            "rev": lambda s: _nice(r.choice((500, 1000, 2000, 3000, 5000)) * max(1.0, self.scale / 2)),
            "rd": lambda s: r.choice(("2", "2.5", "3", "4", "5")),
            "tax": lambda s: r.choice((50, 100, 200, 300, 500)),
            "y0": lambda s: self.year,
            "y1": lambda s: self.year + 1,
            "y2": lambda s: self.year + r.randint(2, 5),
            "month": lambda s: r.randint(3, 12),
            "day": lambda s: r.randint(1, 28),
            "target": lambda s: self._target(),
            "lead": lambda s: self.unit(r.choice(t.leads)),
            "cond": lambda s: self.say(r.choice(_lines(CONDITIONS))),
        }
        for key, options in words.items():
            fillers[key] = lambda s, options=options: r.choice(options)
        return fillers

    def _other(self, options: Sequence[str], taken: str | None) -> str:
        rest = [o for o in options if o != taken]
        return self.rng.choice(rest or list(options))

    def _target(self) -> str:
        name, unit, lo, hi = self.rng.choice(self.theme.metrics)
        value = self.rng.uniform(lo, hi) * (1.0 if unit == "%" else self.scale)
        text = f"{value:.1f}" if value < 10 and unit == "%" else str(_nice(value))
        return f"{name}达到{text}{unit}"

    def say(self, template: str, **preset: str) -> str:
        """One sentence from a template, with this document's own names and numbers."""
        return template.format_map(_Slots(self, **preset))

    def sentences(self, pool: Sequence[str], k: int) -> str:
        """k different sentences from a pool, in random order."""
        return "".join(self.say(t) for t in self.rng.sample(list(pool), min(k, len(pool))))

    def unit(self, key: str) -> str:
        """A unit's full name at this document's level: 市财政局, 省财政厅, 县委统战部（县民宗局）."""
        prov, city, county = UNIT_TABLE[key]
        name = {"省": prov, "市": city, "县": county}[self.place.level]
        return self.place.lw + name.format(lw=self.place.lw)

    def _sublocal_units(self) -> tuple[str, ...]:
        p = self.place
        if p.level == "省":
            return (f"各{p.sublocal}人民政府",)
        if p.level == "县":
            return ("各乡（镇）人民政府", "各街道办事处")
        zones = [f"{a}管委会" for a in p.areas if a.endswith(("新区", "开发区", "高新区", "保税区", "实验区"))]
        return (self.rng.choice(("各县（市、区）人民政府", "各县〔市、区〕人民政府")), *zones[:1])

    def finance_units(self) -> tuple[str, ...]:
        """The central bank branch and banking regulator a finance clause names."""
        p = self.place
        if p.level == "省":
            return (f"人民银行{p.capital}中心支行", f"{p.plain}银保监局")
        if p.level == "市":
            return (f"人民银行{p.name}中心支行", f"{p.plain}银保监分局")
        return (f"人民银行{p.name}支行",)

    def pick_units(
        self, lead_keys: Sequence[str], extra: Sequence[str] = ()
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Lead units from the given keys (now and then two), and other units that share the work."""
        keys = list(dict.fromkeys(k for k in lead_keys if k))
        leads = [self.unit(k) for k in keys[: 2 if len(keys) > 1 and self.rng.random() < 0.2 else 1]]
        pool = [self.unit(k) for k in UNIT_TABLE if k not in ("督查", "编办")]
        others = [u for u in self.rng.sample(pool, self.rng.randint(2, 7)) if u not in leads]
        others += [u for u in extra if u not in leads]
        if self.rng.random() < 0.75:
            others += self.sublocal_units
        return tuple(leads), tuple(others)

    def shuffled_leads(self) -> list[str]:
        """The theme's usual lead units in a random order: the first one leads."""
        return self.rng.sample(self.theme.leads, len(self.theme.leads))


def _units_note(lead: Sequence[str], responsible: Sequence[str]) -> str:
    """The parenthetical a task clause ends with: （牵头单位：…；责任单位：…）."""
    parts = [f"牵头单位：{'、'.join(lead)}"] if lead else []
    if responsible:
        parts.append(f"责任单位：{'、'.join(responsible)}")
    return f"（{'；'.join(parts)}）"


def _pick_issuer_and_year(index: int, seed: int) -> tuple[Issuer, int, int]:
    """Issuer, year and the hundreds of the 文号 serial, so that no two documents share a 文号 at any corpus size."""
    combos = len(ISSUERS) * len(YEARS)
    stride = next(s for s in range(int(combos * 0.618), combos) if math.gcd(s, combos) == 1)
    offset = random.Random(f"gen-corpus-offset:{seed}").randrange(combos)
    slot = (index * stride + offset) % combos
    # a stride coprime to `combos` visits every (issuer, year) once per round; rounds differ in the serial's hundreds
    return ISSUERS[slot % len(ISSUERS)], YEARS[slot // len(ISSUERS)], 100 * (index // combos)


def _addressees(w: _Writer) -> str:
    p = w.place
    if w.issuer.kind == "dept":
        # the same department one level down: 各市（州）发展改革委 under a province, 各县（市、区）发展改革局 under a city
        below = UNIT_TABLE[w.issuer.unit_key][1 if p.level == "省" else 2]
        return f"各{p.sublocal}{below}，{p.lw}直有关单位："
    if p.level == "省":
        return f"各{p.sublocal}人民政府，省政府各部门、各直属机构："
    if p.level == "市":
        zones = [a for a in p.areas if a.endswith(("新区", "开发区"))]
        extra = f"{zones[0]}管委会，" if zones and w.rng.random() < 0.5 else ""
        return f"各县（市、区）人民政府，{extra}市政府各部门："
    return f"各乡（镇）人民政府、街道办事处，{p.lw}政府各部门："


def _write_front(w: _Writer, title: str, notice_title: str, doc_number: str, date_line: str) -> None:
    """Title, 文号 and addressees; for a notice also its body, signature and the plan's own title."""
    w.lines += [notice_title or title, doc_number, _addressees(w)]
    if notice_title:
        own = w.issuer.kind == "dept" or w.rng.random() < 0.3
        w.lines.append(w.say(w.rng.choice(OWN_NOTICES if own else GOV_NOTICES), plan=title))
        w.lines += [w.issuer.name, date_line, title]


def _reference(w: _Writer) -> tuple[str, str]:
    """A higher-level document this one implements: 《title》 and its 文号."""
    up, r = w.place.parent, w.rng
    if up is None:
        issuer, prefix = r.choice((("国务院", "国发"), ("国务院办公厅", "国办发")))
    elif r.random() < 0.5:
        issuer, prefix = f"{up.name}人民政府", f"{up.short}{up.style}发"
    else:
        issuer, prefix = f"{up.name}人民政府{'办公厅' if up.level == '省' else '办公室'}", f"{up.short}{up.style}办发"
    phrase = r.choice(w.theme.phrases).format(lw=up.lw if up else "国")
    kind = r.choice(("实施意见", "指导意见", "若干措施", "意见"))
    year = max(2013, w.year - r.randint(0, 2))
    return f"{issuer}关于{phrase}的{kind}", f"{prefix}〔{year}〕{r.randint(1, 80)}号"


def _guiding(w: _Writer) -> str:
    y = w.year
    congress = "党的十八大和十八届三中、四中、五中全会" if y <= 2017 else "党的十九大和十九届历次全会"
    congress = "党的二十大" if y >= 2023 else congress
    opening = "以习近平新时代中国特色社会主义思想为指导"
    if y <= 2016:
        opening = "以邓小平理论、“三个代表”重要思想、科学发展观为指导，深入贯彻习近平总书记系列重要讲话精神"
    idea = "完整、准确、全面贯彻新发展理念" if y >= 2021 else "牢固树立新发展理念"
    province = w.place.province.removesuffix("省")
    return w.say(
        f"{opening}，全面贯彻{congress}精神，深入贯彻落实习近平总书记对{province}工作重要指示精神，{idea}，"
        "{verb}推进{work}，以{noun}、{noun2}为重点，着力{goal}，为{pshort}经济社会高质量发展提供有力支撑。"
    )


def _write_principles(w: _Writer) -> None:
    for principle in w.rng.sample(_lines(PRINCIPLES), w.rng.randint(3, 5)):
        w.lines.append(f"——坚持{principle}。{w.sentences(_lines(PRINCIPLE_SENTENCES), 2)}")


def _write_goals(w: _Writer, sec: int) -> None:
    w.lines.append(f"{_cn_number(sec)}、{w.rng.choice(('主要目标', '发展目标', '工作目标'))}")
    w.lines.append(w.sentences(_lines(GOAL_SENTENCES), 2))
    if w.rng.random() < 0.5:
        for m, heading in enumerate(w.rng.sample(GOAL_HEADINGS, 3), 1):
            w.lines.append(f"{m}.{heading}。{w.say('到{y2}年，{target}，{area}等地{noun}发展取得明显成效。')}")


def _write_general(w: _Writer) -> int:
    """总体要求 (guiding thought, principles, goals) in one of two common layouts; returns the sections used."""
    if w.rng.random() < 0.5:
        # 一、总体要求 with its text directly beneath, the principles as —— items, 二、目标
        w.lines += ["一、总体要求", _guiding(w)]
        _write_principles(w)
        _write_goals(w, 2)
        return 2
    # 一、指导思想 二、基本原则 三、目标: the older layout, every part a section of its own
    w.lines += ["一、指导思想", _guiding(w), "二、基本原则", w.say(LEAD_INS["principles"])]
    _write_principles(w)
    _write_goals(w, 3)
    return 3


def _task_headings(w: _Writer, count: int) -> list[str]:
    """Headings of the main tasks: the theme's own first, then composed ones; never one twice in a document."""
    headings = w.rng.sample(w.theme.tasks, len(w.theme.tasks))
    while len(headings) < count:
        heading = _fresh_item_heading(w, set(headings))
        if heading is None:
            break
        headings.append(heading)
    return headings[:count]


def _fresh_item_heading(w: _Writer, used: set[str]) -> str | None:
    """A composed item heading not yet in the document, or None once a few dozen draws find none."""
    # a small theme (few nouns, areas and carriers) can run out of combinations: give up rather than loop forever
    for _ in range(ITEM_HEADING_DRAWS):
        heading = w.say(w.rng.choice(_lines(ITEM_HEADINGS)))
        if heading not in used:
            return heading
    return None


def _write_task_paragraph(w: _Writer, sec: int, sub: int, heading: str) -> None:
    """A main task written as one paragraph ending in its units."""
    path, label = _cn_number(sec), f"（{_cn_number(sub)}）"
    lead, resp = w.pick_units(w.shuffled_leads())
    w.lines.append(
        f"{label}{heading}。{w.sentences(_lines(TASK_SENTENCES), w.rng.randint(2, 5))}{_units_note(lead, resp)}"
    )
    w.specs.append(ClauseSpec(f"{sec}.{sub}", f"{path}{label}", heading, "task", lead, resp))


def _write_task(w: _Writer, sec: int, sub: int, heading: str, used: set[str]) -> None:
    """One main task: a paragraph ending in its units, or an intro with numbered items that each name theirs."""
    pool = _lines(TASK_SENTENCES)
    path, label = _cn_number(sec), f"（{_cn_number(sub)}）"
    if w.rng.random() >= 0.3:
        _write_task_paragraph(w, sec, sub, heading)
        return
    items = []
    for _ in range(w.rng.randint(2, 4)):
        item = _fresh_item_heading(w, used)
        if item is None:
            break
        used.add(item)
        items.append(item)
    if not items:
        _write_task_paragraph(w, sec, sub, heading)
        return
    w.lines.append(f"{label}{heading}。{w.sentences(pool, 1)}重点抓好以下工作：")
    for m, item in enumerate(items, 1):
        lead, resp = w.pick_units(w.shuffled_leads())
        w.lines.append(f"{m}.{item}。{w.sentences(pool, w.rng.randint(1, 3))}{_units_note(lead, resp)}")
        w.specs.append(ClauseSpec(f"{sec}.{sub}.{m}", f"{path}{label}{m}.", item, "task", lead, resp))


def _write_tasks(w: _Writer, sec: int, count: int) -> None:
    w.lines.append(f"{_cn_number(sec)}、{w.rng.choice(('重点任务', '主要任务', '重点工作'))}")
    if w.rng.random() < 0.6:
        w.lines.append(w.say(LEAD_INS["tasks"]))
    headings = _task_headings(w, count)
    used = set(headings)
    for sub, heading in enumerate(headings, 1):
        _write_task(w, sec, sub, heading, used)


def _support_plan(w: _Writer, count: int) -> list[tuple[str, str]]:
    """(kind, heading) of each support clause: every kind once before any kind twice."""
    kinds = w.rng.sample(list(SUPPORT), len(SUPPORT))
    plan: list[tuple[str, str]] = []
    while len(plan) < count:
        for kind in kinds:
            free = [h for h in SUPPORT[kind][0].split("|") if (kind, h) not in plan]
            if free and len(plan) < count:
                plan.append((kind, w.rng.choice(free)))
    return plan


def _write_support(w: _Writer, sec: int, count: int) -> None:
    path = _cn_number(sec)
    w.lines += [f"{path}、{w.rng.choice(('支持政策', '政策措施', '扶持政策'))}", w.say(LEAD_INS["support"])]
    for sub, (kind, heading) in enumerate(_support_plan(w, count), 1):
        pool = _lines(SUPPORT[kind][1])
        body = w.sentences(pool, w.rng.randint(2, len(pool)))
        if w.rng.random() < 0.6:
            conditions = "、".join(w.say(c) for c in w.rng.sample(_lines(ELIGIBILITY), w.rng.randint(2, 4)))
            body += f"申请本条政策的企业须在{w.place.name}注册并依法纳税，同时满足{conditions}等条件。"
        extra = w.finance_units() if kind == "金融" else ()
        lead, resp = w.pick_units([SUPPORT_LEADS[kind], *w.shuffled_leads()], extra)
        label = f"（{_cn_number(sub)}）"
        w.lines.append(f"{label}{heading}。{body}{_units_note(lead, resp)}")
        w.specs.append(ClauseSpec(f"{sec}.{sub}", f"{path}{label}", heading, "support", lead, resp, kind))


def _write_safeguards(w: _Writer, sec: int, count: int, reference: tuple[str, str] | None) -> None:
    path = _cn_number(sec)
    w.lines += [f"{path}、{w.rng.choice(('保障措施', '组织保障', '保障机制'))}", w.say(LEAD_INS["safeguards"])]
    for sub, heading in enumerate(w.rng.sample(list(SAFEGUARDS), count), 1):
        lead_key, pool = SAFEGUARDS[heading]
        body = w.sentences(_lines(pool), 2)
        if reference and sub == count:
            body += f"认真落实《{reference[0]}》（{reference[1]}）有关要求，确保各项政策落地见效。"
        label, roll = f"（{_cn_number(sub)}）", w.rng.random()
        if roll < 0.5:
            lead, resp = w.pick_units([lead_key or w.theme.leads[0]])
            w.specs.append(ClauseSpec(f"{sec}.{sub}", f"{path}{label}", heading, "safeguard", lead, resp))
            body += _units_note(lead, resp)
        elif roll < 0.75:
            body += _units_note((), w.pick_units(w.theme.leads)[1])  # 责任单位 only, as many documents write it
        w.lines.append(f"{label}{heading}。{body}")


def _write_closing(w: _Writer, sec: int, kind_word: str) -> None:
    start = f"{w.year + (w.rng.random() < 0.3)}年{w.rng.randint(1, 12)}月1日"
    w.lines += [
        f"{_cn_number(sec)}、附则",
        f"本{kind_word}自{start}起施行，有效期{w.rng.choice('三五')}年。{w.place.lw}级相关政策与本{kind_word}不一致的，"
        f"按本{kind_word}执行；同一企业同一事项符合{w.place.name}多项政策的，按照“从高、不重复”原则执行。"
        f"本{kind_word}由{w.issuer.name}负责解释。",
    ]


def _write_body(w: _Writer, size: float, kind_word: str) -> tuple[str, str] | None:
    """The plan's sections, scaled by `size`; returns the extra document the safeguards cite, if any."""
    sec = _write_general(w) + 1
    _write_tasks(w, sec, max(5, round(TASKS_PER_DOC * size)))
    _write_support(w, sec + 1, max(3, min(14, round(SUPPORT_PER_DOC * size))))
    second = _reference(w) if w.rng.random() < 0.4 else None
    _write_safeguards(w, sec + 2, max(3, min(len(SAFEGUARDS), round(SAFEGUARDS_PER_DOC * size))), second)
    if w.rng.random() < 0.3:
        _write_closing(w, sec + 3, kind_word)
    return second


def _titles(w: _Writer) -> tuple[str, str, str]:
    """(plan title, notice title or '' for a document without a notice wrapper, what the text calls itself)."""
    r, p = w.rng, w.place
    phrase = r.choice(w.theme.phrases).format(lw=p.lw)
    if w.issuer.kind == "gov" and r.random() < 0.4:
        # an 实施意见 the government issues directly: no notice wrapper, signature at the end
        return f"{w.issuer.name}关于{phrase}的实施意见", "", "意见"
    kind, word = r.choice(PLAN_KINDS)
    plan = f"{p.name}{phrase}{kind}"
    if kind == "三年行动计划":
        plan = f"{p.name}{w.theme.work}{kind}（{w.year + 1}—{w.year + 3}年）"
    return plan, f"{w.issuer.name}关于印发{plan}的通知", word


def _half_width(doc: GeneratedDoc) -> GeneratedDoc:
    """The same document with half-width brackets, commas and colons, as some sites (and the seed) publish."""

    def units(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(u.translate(HALF_WIDTH) for u in names)

    clauses = tuple(
        replace(
            c,
            heading=c.heading.translate(HALF_WIDTH),
            lead_units=units(c.lead_units),
            responsible_units=units(c.responsible_units),
        )
        for c in doc.clauses
    )
    return replace(
        doc,
        text=doc.text.translate(HALF_WIDTH),
        title=doc.title.translate(HALF_WIDTH),
        notice_title=doc.notice_title.translate(HALF_WIDTH),
        clauses=clauses,
    )


def generate_document(index: int, seed: int = 0) -> GeneratedDoc:
    """Document number `index` of the corpus for `seed`: the same whatever the corpus size."""
    rng = random.Random(f"gen-corpus:{seed}:{index}")
    issuer, year, serial_base = _pick_issuer_and_year(index, seed)
    w = _Writer(rng, issuer, THEME_TABLE[rng.choice(issuer.themes or tuple(THEME_TABLE))], year)
    serial = serial_base + rng.randint(1, 99)
    doc_number = f"{issuer.prefix}〔{year}〕{serial}号"
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    date_line = _cn_date(year, month, day) if rng.random() < 0.15 else f"{year}年{month}月{day}日"
    title, notice_title, kind_word = _titles(w)
    _write_front(w, title, notice_title, doc_number, date_line)
    reference = _reference(w)
    w.lines.append(
        w.say(
            "为深入贯彻落实《{ref}》（{ref_number}）精神，{verb}推进{pshort}{work}，结合{lw}情实际，制定本{word}。",
            ref=reference[0],
            ref_number=reference[1],
            word=kind_word,
        )
    )
    second = _write_body(w, rng.triangular(0.3, 2.0, 0.7), kind_word)
    if not notice_title:
        w.lines += [issuer.name, date_line]
    doc = GeneratedDoc(
        index=index,
        file_name=f"gen-{index:05d}-{issuer.tag}-{year}-{serial}.txt",
        title=title,
        notice_title=notice_title,
        doc_number=doc_number,
        issuer=issuer.name,
        date=f"{year:04d}-{month:02d}-{day:02d}",
        place=w.place.name,
        theme=w.theme.name,
        subjects=w.theme.subjects,
        references=(reference, *([second] if second else [])),
        clauses=tuple(w.specs),
        text="\n".join(w.lines) + "\n",
    )
    return _half_width(doc) if rng.random() < 0.15 else doc


def generate_documents(docs: int, seed: int = 0) -> list[GeneratedDoc]:
    """The first `docs` documents of the corpus for `seed`, in memory."""
    return [generate_document(i, seed) for i in range(docs)]


def write_documents(out_dir: Path, documents: Sequence[GeneratedDoc]) -> list[Path]:
    """Write each document as UTF-8 text into out_dir; returns the paths in corpus order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in documents:
        path = out_dir / doc.file_name
        path.write_text(doc.text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def generate_corpus(out_dir: Path, docs: int, seed: int = 0) -> list[Path]:
    """Write `docs` generated policy documents into out_dir; the same (docs, seed) always writes the same bytes."""
    return write_documents(out_dir, generate_documents(docs, seed))


# --- questions --------------------------------------------------------------------------------------------------------
WHO_LEADS_FORMS = {
    "path": "{number}{path}由哪个单位牵头？",
    "quoted": "{name}中“{heading}”由哪个部门牵头？",
    "this_work": "{name}里{heading}这项工作谁牵头？",
    "belongs": "按照{name}，{heading}归哪个部门负责？",
    "lead_is": "{name}提到的{heading}，牵头单位是哪个？",
    "trailing_number": "{heading}是哪个单位牵头负责的？（{number}）",
}
SUPPORT_FORMS = {
    "for_subject": "{name}对{subject}有哪些{word}支持？",
    "enjoy": "根据{name}，企业能享受哪些{word}政策？",
    "apply": "{subject}想申请{word}，{name}里有什么政策？",
}
LOOKUP_FORMS = {
    "about": "{number}讲了什么？",
    "find": "帮我查一下{number}",
    "full_text": "{number}的全文",
    "what_file": "{number}是什么文件？",
}
FACT_FORMS = {
    "date": "{name}是哪天印发的？",
    "number": "《{title}》的文号是多少？",
    "issuer": "{number}的发文机关是哪个？",
    "basis": "{number}的上位文件是哪个？",
}
QUESTION_MIX = {"who_leads": 0.4, "support": 0.25, "lookup": 0.15, "fact": 0.2}


def _opening_clauses(doc: GeneratedDoc) -> list[str]:
    """Where a document says what it is: the notice, and the preamble."""
    return ["notice", "preamble"] if doc.notice_title else ["preamble"]


def _who_leads_question(rng: random.Random, doc: GeneratedDoc, name: str) -> dict:
    clause = rng.choice([c for c in doc.clauses if c.lead_units])
    form = rng.choice(list(WHO_LEADS_FORMS))
    q = WHO_LEADS_FORMS[form].format(number=doc.doc_number, path=clause.path, name=name, heading=clause.heading)
    return {
        "q": q,
        "intent": "who_leads",
        "kind": form,
        "doc_id": doc.doc_id,
        "doc_number": doc.doc_number,
        "clause_path": clause.path,
        "gold": [clause.clause_id],
        "lead_units": list(clause.lead_units),
        "lead": list(clause.lead_units),
    }


def _support_question(rng: random.Random, doc: GeneratedDoc, name: str) -> dict:
    kind = rng.choice(sorted({c.support for c in doc.clauses if c.support}))
    clauses = [c for c in doc.clauses if c.support == kind]
    form = rng.choice(list(SUPPORT_FORMS))
    subject = rng.choice(doc.subjects)
    q = SUPPORT_FORMS[form].format(name=name, subject=subject, word=SUPPORT_WORDS[kind])
    return {
        "q": q,
        "intent": "support",
        "kind": form,
        "doc_id": doc.doc_id,
        "doc_number": doc.doc_number,
        "clause_path": clauses[0].path,
        "support": kind,
        "gold": [c.clause_id for c in clauses],
    }


def _lookup_question(rng: random.Random, doc: GeneratedDoc, name: str) -> dict:
    form = rng.choice(list(LOOKUP_FORMS))
    return {
        "q": LOOKUP_FORMS[form].format(number=doc.doc_number),
        "intent": "lookup",
        "kind": form,
        "doc_id": doc.doc_id,
        "doc_number": doc.doc_number,
        "title": doc.title,
        "gold": _opening_clauses(doc),
    }


def _fact_question(rng: random.Random, doc: GeneratedDoc, name: str) -> dict:
    form = rng.choice(list(FACT_FORMS))
    answer = {"date": doc.date, "number": doc.doc_number, "issuer": doc.issuer, "basis": doc.references[0][1]}[form]
    gold = ["preamble"] if form == "basis" else _opening_clauses(doc)
    return {
        "q": FACT_FORMS[form].format(name=name, title=doc.title, number=doc.doc_number),
        "intent": "fact",
        "kind": form,
        "doc_id": doc.doc_id,
        "doc_number": doc.doc_number,
        "answer": answer,
        "gold": gold,
    }


QUESTION_MAKERS = {
    "who_leads": _who_leads_question,
    "support": _support_question,
    "lookup": _lookup_question,
    "fact": _fact_question,
}


def generate_questions(documents: Sequence[GeneratedDoc], n: int, seed: int = 0) -> list[dict]:
    """n distinct questions with gold answers about these documents: who leads, support, 文号 lookups and facts.

    A question names its document by 《title》 only when no other document has that title, else by 文号,
    so every question has one right document. `gold` holds clause ids of that document (`doc_id`)."""
    if not documents:
        return []
    rng = random.Random(f"gen-questions:{seed}")
    title_counts = Counter(d.title for d in documents)
    intents, weights = list(QUESTION_MIX), list(QUESTION_MIX.values())
    rows: list[dict] = []
    seen: set[str] = set()
    for _ in range(n * 20):
        if len(rows) >= n:
            break
        doc = rng.choice(documents)
        name = f"《{doc.title}》" if title_counts[doc.title] == 1 and rng.random() < 0.6 else doc.doc_number
        row = QUESTION_MAKERS[rng.choices(intents, weights)[0]](rng, doc, name)
        if row["q"] not in seen:
            seen.add(row["q"])
            rows.append(row)
    return rows


def write_questions(path: Path, rows: Sequence[dict]) -> None:
    """One JSON object per line, UTF-8, Chinese kept readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


# --- checking against the real parser ----------------------------------------------------------------------------------
def check_documents(paths: Sequence[Path], documents: Sequence[GeneratedDoc]) -> dict:
    """Parse generated files with policybot and compare with what was written: chunk counts and any mismatch."""
    from policybot.document import normalize
    from policybot.index.chunks import chunk_document
    from policybot.ingest.corpus import read_document

    chunk_counts: list[int] = []
    problems: list[str] = []
    text_docs: dict[str, set[str]] = {}
    for path, spec in zip(paths, documents, strict=True):
        doc = read_document(path)
        chunks = chunk_document(doc)
        chunk_counts.append(len(chunks))
        for chunk in chunks:
            text_docs.setdefault(chunk.text, set()).add(doc.doc_id)
        expected = {
            "title": normalize(spec.title),
            "doc_number": spec.doc_number,
            "issuer": spec.issuer,
            "date": spec.date,
        }
        got = {"title": normalize(doc.title), "doc_number": doc.doc_number, "issuer": doc.issuer, "date": doc.date}
        problems += [f"{path.name}: {k} {got[k]!r} != {v!r}" for k, v in expected.items() if got[k] != v]
        by_id = {c.id: c for c in doc.clauses}
        for c in spec.clauses:
            parsed = by_id.get(c.clause_id)
            if parsed is None or (parsed.path, parsed.lead_units, parsed.responsible_units) != (
                c.path,
                c.lead_units,
                c.responsible_units,
            ):
                problems.append(
                    f"{path.name}: clause {c.clause_id} {c.path} {c.lead_units} {c.responsible_units} read back as {parsed and (parsed.path, parsed.lead_units, parsed.responsible_units)}"
                )
        if sum(bool(c.lead_units) for c in doc.clauses) < 5:
            problems.append(f"{path.name}: fewer than 5 clauses with 牵头单位")
    shared = [t for t, ids in text_docs.items() if len(ids) > 1]
    n = max(1, len(chunk_counts))
    return {
        "documents": len(chunk_counts),
        "chunks": sum(chunk_counts),
        "chunks_per_doc_mean": sum(chunk_counts) / n,
        "chunks_per_doc_min": min(chunk_counts, default=0),
        "chunks_per_doc_max": max(chunk_counts, default=0),
        "chunk_texts_shared_across_docs": len(shared),
        "problems": problems,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the corpus, optionally a question file, optionally parse the files back and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents to write (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the .txt files into")
    parser.add_argument("--questions", type=Path, help="also write a JSONL question set about the corpus here")
    parser.add_argument("--question-count", type=int, default=500, help="questions to write (default 500)")
    parser.add_argument("--check", type=int, default=0, metavar="N", help="parse the first N files back and report")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")

    started = time.perf_counter()
    documents = generate_documents(args.docs, args.seed)
    paths = write_documents(args.out, documents)
    seconds = time.perf_counter() - started
    chars = sum(len(d.text) for d in documents)
    print(
        f"wrote {len(paths)} files, {chars:,} characters ({chars / len(paths):,.0f} per document, "
        f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB) to {args.out} in {seconds:.1f} s"
    )
    if args.questions:
        rows = generate_questions(documents, args.question_count, args.seed)
        write_questions(args.questions, rows)
        print(f"wrote {len(rows)} questions {dict(Counter(r['intent'] for r in rows))} to {args.questions}")
    if args.check:
        n = min(args.check, len(paths))
        report = check_documents(paths[:n], documents[:n])
        problems = report.pop("problems")
        print(json.dumps(report, ensure_ascii=False))
        for line in problems[:20]:
            print("  problem:", line)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

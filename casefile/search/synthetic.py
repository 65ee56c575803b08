"""A seeded synthetic corpus of Chinese case records, for the benchmark
(``bench/search.py``) and the judged-set test — never for the product.

Each record looks like an indexed case: case number, applicant (company
or person) with credit code or ID number, Anshan address, the matter and
its item names, review opinions, annotations and an excerpt of a material.
Words planted in compounds (药店 in 开办药店申请书) and multi-word item
names (食品经营许可) appear with realistic frequencies, so that exact
substring ground truth can judge the index.
"""
import datetime
import random

SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
GIVEN = '建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华玉兰红梅志强海燕春梅淑珍凤英德明宏伟小红丹丹晓东国庆立新振华金凤'
DISTRICTS = ['铁东区', '铁西区', '立山区', '千山区', '海城市', '台安县',
             '岫岩满族自治县', '高新区', '经济开发区']
STREETS = ['胜利路', '建国南路', '千山中路', '人民路', '五一路', '站前街',
           '解放东路', '钢都路', '民生路', '和平路', '园林路', '对炉山街']
TRADES = [('大药房', '药品零售'), ('药店', '药品零售'), ('餐饮店', '餐饮服务'),
          ('超市', '食品销售'), ('烧烤店', '餐饮服务'), ('美容院', '美容美发'),
          ('宾馆', '住宿'), ('建筑工程公司', '建筑施工'), ('物流公司', '道路运输'),
          ('食品厂', '食品生产'), ('诊所', '医疗服务'), ('培训学校', '民办教育'),
          ('汽车修理厂', '机动车维修'), ('便利店', '食品销售'), ('面馆', '餐饮服务')]
WORDS = '鑫盛华泰恒通宏达兴隆福瑞金源广汇永安康宁祥和德润佳美益民新城百姓惠民天成'
MATTERS = [
    ('开办药店', ['营业执照', '药品经营许可', '食品经营许可'], 'market'),
    ('开办餐馆', ['营业执照', '食品经营许可', '公共场所卫生许可'], 'food'),
    ('开办超市', ['营业执照', '食品经营许可'], 'market'),
    ('开办宾馆', ['营业执照', '公共场所卫生许可', '特种行业许可'], 'social'),
    ('新建厂房', ['建设工程规划许可', '建筑工程施工许可', '排水许可'], 'build'),
    ('道路运输经营', ['营业执照', '道路运输经营许可'], 'urban'),
    ('开办民办学校', ['民办学校办学许可', '营业执照'], 'social'),
    ('企业投资项目备案', ['企业投资项目备案', '建设工程规划许可'], 'invest'),
    ('开办美容店', ['营业执照', '公共场所卫生许可'], 'market'),
    ('机动车维修', ['营业执照', '机动车维修经营备案'], 'urban'),
]
STATES = ['submitted', 'accepted', 'reviewing', 'decided', 'closed',
          'rejected', 'archived']
OPINIONS = [
    '经审查，申请材料齐全，符合法定形式，同意受理。',
    '现场核查经营场所与申请材料一致，设施设备符合要求。',
    '申请人提交的{item}申请书内容完整，建议准予许可。',
    '经营场所位于{district}{street}，周边无污染源，符合卫生要求。',
    '请申请人补正{item}相关材料，并于五个工作日内提交。',
    '专家评审意见：方案可行，同意通过，建议加强日常管理。',
    '该申请涉及{item}，已按规定征求相关部门意见，无异议。',
    '法定代表人{person}到场签字确认，身份信息核对无误。',
    '开办{trade}申请书已收悉，材料目录与清单相符。',
    '根据《行政许可法》有关规定，决定准予{item}。',
]
MATERIAL_LINES = [
    '本人{person}承诺所提交的申请材料真实有效，如有虚假愿承担法律责任。',
    '经营范围：{scope}；经营场所面积一百二十平方米，从业人员五名。',
    '统一社会信用代码{credit}，住所{district}{street}{number}号。',
    '{company}拟在{district}开办{trade}，现申请办理{item}。',
    '房屋租赁合同约定租期三年，出租方为{person2}。',
    '卫生管理制度、进货查验记录制度和从业人员健康管理制度已建立。',
]
CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (
        rng.choice(GIVEN) if rng.random() < 0.3 else '')


def credit_code(rng):
    return '9121' + '0300' + ''.join(rng.choice(CREDIT_CHARS)
                                      for _ in range(10))


def record(i, rng, years=(2021, 2026)):
    """One case record as a dict of the fields the index reads."""
    year = rng.randint(*years)
    day = datetime.date(year, 1, 1) + datetime.timedelta(
        days=rng.randint(0, 364))
    number = 'AS-%s-%06d' % (day.strftime('%Y%m%d'), i % 1000000)
    matter, items, section = MATTERS[rng.randrange(len(MATTERS))]
    trade, scope = TRADES[rng.randrange(len(TRADES))]
    district = rng.choice(DISTRICTS)
    street = rng.choice(STREETS)
    owner = person(rng)
    company = '鞍山市%s%s%s%s' % (district[:2], rng.choice(WORDS),
                                rng.choice(WORDS), trade)
    if not company.endswith('公司'):
        company += '有限公司' if rng.random() < 0.5 else ''
    is_person = rng.random() < 0.2
    applicant = owner if is_person else company
    identifier = ('2103%014d' % rng.randrange(10 ** 14)) if is_person \
        else credit_code(rng)
    values = dict(item=rng.choice(items), district=district, street=street,
                  person=owner, person2=person(rng), trade=trade,
                  scope=scope, credit=identifier, company=company,
                  number=rng.randint(1, 300))
    opinions = [rng.choice(OPINIONS).format(**values)
                for _ in range(rng.randint(1, 4))]
    material = [rng.choice(MATERIAL_LINES).format(**values)
                for _ in range(rng.randint(2, 7))]
    return {
        'case_number': number,
        'title': '%s · %s' % (matter, applicant),
        'applicant': applicant,
        'identifier': identifier,
        'matter': matter,
        'items': items,
        'section': section,
        'sections': [section],
        'state': rng.choice(STATES),
        'date': datetime.datetime(day.year, day.month, day.day, 9),
        'district': district,
        'text': '\n'.join([number, applicant, identifier, matter,
                           ' '.join(items), '%s%s' % (district, street)]
                          + opinions + material),
    }


def corpus(n, seed=20260101, start=0):
    rng = random.Random(seed + start)
    return [record(start + i, rng) for i in range(n)]

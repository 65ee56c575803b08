"""The closed sets of values the catalogue may use, with their Chinese labels.

One table per vocabulary, used by the validator (what is allowed), by the
model (defaults) and by pages (the label to show), so that a new value is
added in one place.  Keys are the English code names of the glossary; the
values are what the bureau's staff and applicants read.
"""

ITEM_KINDS = {'licence': '行政许可', 'filing': '备案', 'other': '其他'}

RETENTIONS = {'permanent': '永久', '30y': '30年', '10y': '10年'}
DEFAULT_RETENTION = '30y'

MATERIAL_FORMS = {
    'original': '原件',
    'copy': '复印件',
    'original_and_copy': '原件及复印件',
}

FILE_TYPES = ('pdf', 'jpg', 'png', 'docx', 'doc', 'xlsx')
DEFAULT_FILE_TYPES = ('pdf', 'jpg', 'png')
DEFAULT_MAX_SIZE_MB = 20

FIELD_TYPES = {
    'text': '文本',
    'textarea': '多行文本',
    'credit_code': '统一社会信用代码',
    'id_number': '居民身份证号码',
    'phone': '电话号码',
    'date': '日期',
    'area': '面积（平方米）',
    'money': '金额（元）',
    'integer': '整数',
    'choice': '选项',
    'address': '地址（区县 + 详细地址）',
    'boolean': '是/否',
}
#: field types whose value is free text, where ``max_length`` makes sense
TEXT_FIELD_TYPES = ('text', 'textarea', 'address')

SECTION_KINDS = {
    'approval': '审批业务科',
    'coordination': '业务协调科',
    'inspection': '现场勘验科',
    'policy': '政策法规科',
    'platform': '网络平台科',
    'service_centre': '政务服务中心窗口',
}
DEFAULT_SECTION_KIND = 'approval'

PROJECT_KINDS = {'industrial': '工业项目', 'real_estate': '房地产项目'}

#: the four stages of every project, in this order (国办发〔2019〕11号)
STAGE_NAMES = ('立项用地规划许可', '工程建设许可', '施工许可', '竣工验收')

#: which limit a schedule counts: the bureau's promise or the law's
LIMIT_KINDS = {'promised': '承诺时限', 'statutory': '法定时限'}

#: Anshan's districts (GB/T 2260), for ``address`` fields
DISTRICTS = {
    '210302': '铁东区',
    '210303': '铁西区',
    '210304': '立山区',
    '210311': '千山区',
    '210321': '台安县',
    '210323': '岫岩满族自治县',
    '210381': '海城市',
}

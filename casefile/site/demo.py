"""Demo users: one per role, reviewers and heads in the demo sections.

Loaded on first start when ``casefile.demo = true`` (development.ini) or
by ``casefile demo``; never in production.  They all share one demo
password, printed by ``make serve`` and listed in README.md.
"""
from substanced.util import find_service

from ..security.roles import (
    org_group_name, role_group_name, section_group_name)

DEMO_PASSWORD = 'demo-2026'

#: login, name shown, roles, sections
DEMO_USERS = (
    ('clerk', '王芳', ('window_clerk',), ()),
    ('reviewer.market', '李强', ('section_reviewer',),
     ('market_entry',)),
    ('head.market', '赵敏', ('section_head',),
     ('market_entry',)),
    ('reviewer.food', '刘洋', ('section_reviewer',),
     ('food_drug',)),
    ('head.food', '陈静', ('section_head',),
     ('food_drug',)),
    ('reviewer.social', '孙磊', ('section_reviewer',),
     ('social_affairs',)),
    ('head.social', '钱芳', ('section_head',), ('social_affairs',)),
    ('reviewer.urban', '曹阳', ('section_reviewer',), ('urban_affairs',)),
    ('head.urban', '谢军', ('section_head',), ('urban_affairs',)),
    ('reviewer.build', '周涛', ('section_reviewer',),
     ('construction',)),
    ('head.build', '吴刚', ('section_head',),
     ('construction',)),
    ('reviewer.invest', '郑雪', ('section_reviewer',),
     ('investment',)),
    ('head.invest', '韩冰', ('section_head',), ('investment',)),
    ('inspector', '冯军', ('inspector',), ('site_inspection',)),
    ('inspector2', '何丽', ('inspector',), ('site_inspection',)),
    ('expert', '高工', ('expert',), ()),
    ('expert2', '李教授', ('expert',), ()),
    ('expert3', '王工', ('expert',), ()),
    ('expert4', '赵研究员', ('expert',), ()),
    ('expert5', '孙工', ('expert',), ()),
    ('expert6', '周教授', ('expert',), ()),
    ('issuer', '马莉', ('issuance_clerk',), ()),
    ('archivist', '林红', ('archivist',), ()),
    ('supervisor', '黄伟', ('supervisor',), ()),
    ('manager', '杨帆', ('administrator',), ()),
    # other organisations (casefile.organisation): section <org>.<local>
    ('reviewer.tiedong', '白雪', ('section_reviewer',), ('tiedong.approval',)),
    ('head.tiedong', '齐磊', ('section_head',), ('tiedong.approval',)),
    ('reviewer.tiexi', '关悦', ('section_reviewer',), ('tiexi.approval',)),
    ('head.tiexi', '邵峰', ('section_head',), ('tiexi.approval',)),
    ('reviewer.haicheng', '鲁静', ('section_reviewer',),
     ('haicheng.approval',)),
    ('head.haicheng', '付强', ('section_head',), ('haicheng.approval',)),
    ('reviewer.fire', '武刚', ('section_reviewer',), ('fire.review',)),
    ('head.fire', '季红', ('section_head',), ('fire.review',)),
    ('reviewer.land', '汤明', ('section_reviewer',), ('natres.land_use',)),
    ('head.land', '梁爽', ('section_head',), ('natres.land_use',)),
    ('reviewer.housing', '程亮', ('section_reviewer',),
     ('housing.completion',)),
    ('head.housing', '宋佳', ('section_head',), ('housing.completion',)),
)


#: id, name, speciality, organisation, login (demo expert pool)
DEMO_EXPERTS = (
    ('E001', '高工', '环境影响评价', '鞍山市环境科学研究院', 'expert'),
    ('E002', '李教授', '环境影响评价', '辽宁科技大学', 'expert2'),
    ('E003', '王工', '环境影响评价', '鞍钢设计研究院', 'expert3'),
    ('E004', '赵研究员', '国土空间规划', '鞍山市规划设计研究院', 'expert4'),
    ('E005', '孙工', '国土空间规划', '鞍山市勘察测绘院', 'expert5'),
    ('E006', '周教授', '国土空间规划', '辽宁科技大学', 'expert6'),
    ('E007', '高工', '节能评估', '鞍山市节能监察中心', 'expert'),
    ('E008', '王工', '节能评估', '鞍钢设计研究院', 'expert3'),
    ('E009', '李教授', '节能评估', '辽宁科技大学', 'expert2'),
    ('E010', '周教授', '城乡规划与建筑设计', '辽宁科技大学', 'expert6'),
    ('E011', '赵研究员', '城乡规划与建筑设计', '鞍山市规划设计研究院',
     'expert4'),
    ('E012', '孙工', '城乡规划与建筑设计', '鞍山市勘察测绘院', 'expert5'),
    ('E013', '李教授', '教育培训', '鞍山师范学院', 'expert2'),
    ('E014', '高工', '教育培训', '鞍山市教育科学研究院', 'expert'),
    ('E015', '王工', '建筑防火（特殊消防设计）', '鞍山市消防救援支队专家组',
     'expert3'),
    ('E016', '孙工', '建筑防火（特殊消防设计）', '鞍山市建筑设计院',
     'expert5'),
)


def ensure_demo_experts(root, registry):
    pool = root['experts']
    created = []
    for key, name, speciality, organisation, login in DEMO_EXPERTS:
        if key in pool:
            continue
        expert = registry.content.create(
            'Expert', name, speciality, organisation,
            phone='0412-555%04d' % int(key[1:]), login=login)
        pool.add(key, expert, registry=registry)
        created.append(key)
    return created


def ensure_demo_users(root, registry):
    """Create missing demo users; return their logins."""
    principals = find_service(root, 'principals')
    users, groups = principals['users'], principals['groups']
    created = []
    for login, title, roles, sections in DEMO_USERS:
        if login in users:
            continue
        user = principals.add_user(login, DEMO_PASSWORD,
                                   '%s@demo.invalid' % login,
                                   registry=registry)
        user.title = title
        user.locale = 'zh_CN'
        names = [role_group_name(r) for r in roles]
        names += [section_group_name(s) for s in sections]
        # a section <org>.<local> makes its user a member of the organisation
        names += sorted({org_group_name(s.split('.', 1)[0])
                         for s in sections if '.' in s})
        for name in names:
            group = groups.get(name)
            if group is None:
                group = principals.add_group(name, registry=registry)
            group.memberids.connect([user])
        created.append(login)
    ensure_demo_experts(root, registry)
    return created

"""Demo users: one per role, reviewers and heads in the demo sections.

Loaded on first start when ``casefile.demo = true`` (development.ini) or
by ``casefile demo``; never in production.  They all share one demo
password, printed by ``make serve`` and listed in README.md.
"""
from substanced.util import find_service

from ..security.roles import role_group_name, section_group_name

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
    ('issuer', '马莉', ('issuance_clerk',), ()),
    ('archivist', '林红', ('archivist',), ()),
    ('supervisor', '黄伟', ('supervisor',), ()),
    ('manager', '杨帆', ('administrator',), ()),
)


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
        for name in names:
            group = groups.get(name)
            if group is None:
                group = principals.add_group(name, registry=registry)
            group.memberids.connect([user])
        created.append(login)
    return created

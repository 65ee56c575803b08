"""The workflows page (/admin/workflows): each workflow drawn as SVG, with
its permission table, for the administrator and the supervisor only."""
import collections

import pytest
from bs4 import BeautifulSoup
from pyramid.i18n import make_localizer

from casefile.i18n import LOCALE_DIR
from casefile.security.roles import LOCAL_ROLE_TITLES, ROLES

from test_workflow_definition import shipped_definitions

DEFINITIONS = shipped_definitions()
URL = '/admin/workflows'


def role_title(role):
    localizer = make_localizer('zh_CN', [LOCALE_DIR])
    return localizer.translate(dict(ROLES, **LOCAL_ROLE_TITLES)[role])


def cards(html):
    """workflow name -> its <section> on the page."""
    soup = BeautifulSoup(html, 'html.parser')
    out = {}
    for card in soup.select('section.card'):
        svg = card.find('svg')
        if svg is None:
            continue
        marker = svg.find('marker')['id']
        assert marker.startswith('arrow-')
        name = marker[len('arrow-'):]
        assert name not in out, 'workflow %s drawn twice' % name
        out[name] = card
    return out


@pytest.mark.parametrize('user', ['manager', 'supervisor'])
def test_each_workflow_is_drawn_once_with_its_states_and_steps(login, user):
    page = login(user).get(URL)
    assert page.status_int == 200
    drawn = cards(page.text)
    assert sorted(drawn) == sorted(DEFINITIONS)
    assert page.text.count('<svg') == len(DEFINITIONS)
    for name, definition in DEFINITIONS.items():
        card = drawn[name]
        [svg] = card.find_all('svg')
        assert svg.find('title').get_text() == definition.title
        states = collections.Counter(
            g['data-state'] for g in svg.select('g.state'))
        assert states == collections.Counter(list(definition.states)), name
        for g in svg.select('g.state'):
            text = g.get_text()
            assert definition.states[g['data-state']].title in text
        edges = collections.Counter(
            (e['data-from'], e['data-to']) for e in svg.select('.edge'))
        expected = collections.Counter(
            (source, t.to) for t in definition.transitions.values()
            for source in t.from_states)
        assert edges == expected, name
        # every step's title is written on its arrow
        labels = [t.get_text()
                  for t in svg.find_all('text', recursive=False)]
        for t in definition.transitions.values():
            assert labels.count(t.title) == len(t.from_states), (name, t.name)


@pytest.mark.parametrize('user', ['manager', 'supervisor'])
def test_the_permission_table_of_each_workflow_is_shown(login, user):
    page = login(user).get(URL)
    drawn = cards(page.text)
    for name, definition in DEFINITIONS.items():
        table = drawn[name].find('table', class_='permtable')
        header = [th.get_text(strip=True) for th in table.select('thead th')]
        assert header[1:] == [s.title for s in definition.states.values()]
        rows = table.select('tbody tr')
        permissions = sorted({p for s in definition.states
                              for p in definition.permission_map(s)})
        assert [r.find('span', class_='mono').get_text() for r in rows] \
            == permissions, name
        for row, permission in zip(rows, permissions):
            cells = row.find_all('td')[1:]
            assert len(cells) == len(definition.states)
            for cell, state in zip(cells, definition.states):
                shown = [t.get_text() for t in cell.select('span.tag')]
                roles = definition.permission_map(state).get(permission, [])
                assert shown == [role_title(r) for r in roles], (
                    name, permission, state)
    # transition permissions have rows too, system-only steps none
    assert 'case.conclude' in page.text and 'task.grant' in page.text
    assert 'task.start' not in page.text and 'stage.open' not in page.text


def test_a_clerk_may_not_see_the_workflows(login):
    login('clerk').get(URL, status=403)


@pytest.mark.parametrize('user', ['reviewer.food', 'issuer', 'archivist'])
def test_other_roles_may_not_see_the_workflows_either(login, user):
    login(user).get(URL, status=403)


def test_anonymous_is_sent_to_the_login_page(testapp):
    response = testapp.get(URL, status=302)
    assert '/login' in response.location
    assert 'svg' not in response.text

"""A construction project stage by stage (一个项目): the next stage opens
only when the previous one is done."""
import pytest

from casehelpers import (
    create_case, current_catalogue, open_db_case, upload_required)
from test_lifecycle import decide, step

STAGE_1, STAGE_2 = 'P-IND-1', 'P-IND-2'


def project_of(testapp, number):
    conn, case = open_db_case(testapp, number)
    try:
        project_number = case.project_number
        project = conn.root()['app_root']['projects'][project_number]
        return project_number, {s.code: s.state for s in project.stages()}
    finally:
        conn.close()


def count_cases(testapp):
    conn, _ = open_db_case(testapp, 'none')
    try:
        return len(conn.root()['app_root']['cases'])
    finally:
        conn.close()


@pytest.fixture
def stage_one(login, testapp):
    clerk = login('clerk')
    response = create_case(clerk, STAGE_1)
    assert response.status_int == 302, response.text[:3000]
    url = response.location
    return clerk, url, url.rsplit('/', 1)[-1]


def test_a_first_stage_creates_the_project_with_only_that_stage_open(
        testapp, stage_one):
    clerk, url, number = stage_one
    project_number, stages = project_of(testapp, number)
    assert project_number.startswith('PJ-')
    assert stages == {'P-IND-1': 'open', 'P-IND-2': 'locked',
                      'P-IND-3': 'locked', 'P-IND-4': 'locked'}


def test_a_later_stage_needs_its_project_and_the_previous_stage_done(
        login, testapp, stage_one):
    clerk, url, number = stage_one
    project_number, _ = project_of(testapp, number)
    before = count_cases(testapp)
    response = create_case(clerk, STAGE_2, project={'number': '',
                                                    'name': 'x'})
    assert response.status_int == 400
    assert '项目编号' in response.text or 'PJ-' in response.text
    response = create_case(clerk, STAGE_2,
                           project={'number': project_number})
    assert response.status_int == 400
    assert '上一阶段' in response.text or '未开放' in response.text
    assert count_cases(testapp) == before


def test_stage_one_completed_opens_stage_two(login, testapp, stage_one):
    clerk, url, number = stage_one
    upload_required(clerk, url, testapp, code=STAGE_1)
    assert step(clerk, url, '/do/accept').status_int == 302
    project_number, stages = project_of(testapp, number)
    assert stages['P-IND-1'] == 'in_progress'
    catalogue = current_catalogue(testapp)
    # items in prerequisite order: TZ-001 first, its dependants after
    order = sorted(catalogue.application(STAGE_1).items,
                   key=lambda c: len(catalogue.items[c].prerequisites))
    for item in order:
        decide(login, url, item, 'reviewer.invest', 'head.invest')
    issuer = login('issuer')
    assert step(issuer, url, '/do/issue', delivery='mail',
                recipient='张三').status_int == 302
    _, stages = project_of(testapp, number)
    assert stages['P-IND-1'] == 'done'
    assert stages['P-IND-2'] == 'open'
    response = create_case(login('clerk'), STAGE_2,
                           project={'number': project_number})
    assert response.status_int == 302, response.text[:3000]
    second = response.location.rsplit('/', 1)[-1]
    assert project_of(testapp, second)[0] == project_number

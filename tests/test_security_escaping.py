"""Text typed by applicants and staff is shown escaped, never as markup.

``<script>alert(1)</script>`` goes into the applicant's name, a one-form
text field, a review opinion (also the journal's comment of its entry) and
a refusal reason (shown in the decision); every
page that shows it must contain the escaped text and never the raw tag.
"""
import re

import pytest

from casehelpers import (
    PHARMACY, create_case, current_catalogue, csrf_from, upload_required)

XSS = '<script>alert(1)</script>'
ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;'


def step(browser, url, path, **inputs):
    page = browser.get(url)
    token = csrf_from(page.text)
    return browser.post(url + path, dict(inputs, csrf_token=token),
                        expect_errors=True)


def assert_escaped(page, what):
    assert XSS not in page.text, what
    assert '<script>alert' not in page.text, what
    assert ESCAPED in page.text, what


def first_text_field(testapp):
    catalogue = current_catalogue(testapp)
    from casefile.case.intake import APPLICANT_KEYS
    form = catalogue.merged_fields(PHARMACY)
    for field in [f.field for f in form.shared] + [
            f for g in form.per_item for f in g.fields]:
        if field.type in ('text', 'textarea') and \
                field.key not in APPLICANT_KEYS:
            return field.key
    pytest.skip('the pharmacy form has no text field')


@pytest.fixture
def hostile_case(login, testapp):
    """A pharmacy case whose applicant name and one text field are XSS."""
    clerk = login('clerk')
    key = first_text_field(testapp)
    response = create_case(clerk, applicant={'name': 'X' + XSS},
                           overrides={key: 'Y' + XSS})
    assert response.status_int == 302, response.text[:3000]
    url = response.location
    upload_required(clerk, url, testapp)
    response = step(clerk, url, '/do/accept')
    assert response.status_int == 302, response.text[:3000]
    return url


def test_applicant_name_and_form_field_are_escaped(login, hostile_case):
    clerk = login('clerk')
    page = clerk.get(hostile_case)
    assert_escaped(page, 'case page')
    assert 'X' + ESCAPED in page.text          # the applicant's name
    assert 'Y' + ESCAPED in page.text          # the one-form field
    worklist = clerk.get('/cases?q=X')
    assert XSS not in worklist.text and '<script>alert' not in worklist.text
    home = clerk.get('/')
    assert '<script>alert' not in home.text


def test_opinion_refusal_and_journal_comment_are_escaped(login,
                                                         hostile_case):
    url = hostile_case
    reviewer = login('reviewer.market')
    response = step(reviewer, url, '/tasks/SC-001/do/submit_opinion',
                    opinion='O' + XSS, proposal='deny')
    assert response.status_int == 302, response.text[:3000]
    head = login('head.market')
    response = step(head, url, '/tasks/SC-001/do/deny',
                    reasons='R' + XSS)
    assert response.status_int == 302, response.text[:3000]
    for name in ('clerk', 'reviewer.market', 'head.market'):
        page = login(name).get(url)
        assert_escaped(page, name)
        # the opinion, in the task and in the journal's comment column
        assert 'O' + ESCAPED in page.text, name
        journal = page.text[page.text.index('id="journal"'):]
        assert re.search(r'审查意见</td>\s*<td>\s*O' + re.escape(ESCAPED),
                         journal), 'journal comment'
    # the refusal reason: in the decision (决定书) shown as a page
    links = re.findall(r'href="([^"]*/documents/decisions/[^"/.]+)"',
                       page.text)
    assert links, 'no decision document'
    decision = login('clerk').get(links[0])
    assert_escaped(decision, 'decision')
    assert 'R' + ESCAPED in decision.text

"""A conflict at commit is re-run (pyramid_retry), never answered at once
with an error: the one case is made once, and only the last attempt
answers 500."""
import pytest
from ZODB.POSException import ConflictError

from test_api import auth, intake_body


class ConflictOnce:
    """A data manager whose vote raises ConflictError ``times`` times, like
    a FileStorage that finds another transaction committed first."""

    def __init__(self, state):
        self.state = state

    def sortKey(self):
        return 'zz-conflict-once'

    def abort(self, txn):
        pass

    def tpc_begin(self, txn):
        pass

    def commit(self, txn):
        pass

    def tpc_vote(self, txn):
        if self.state['left']:
            self.state['left'] -= 1
            raise ConflictError('the test conflicts here')

    def tpc_finish(self, txn):
        self.state['committed'] += 1

    def tpc_abort(self, txn):
        pass


@pytest.fixture
def conflicting(monkeypatch):
    """``start_case`` joins a data manager that conflicts at commit."""
    import transaction
    import casefile.api.views as api_views
    state = {'left': 0, 'committed': 0, 'calls': 0}
    original = api_views.start_case

    def start_case(*args, **kw):
        state['calls'] += 1
        transaction.get().join(ConflictOnce(state))
        return original(*args, **kw)
    monkeypatch.setattr(api_views, 'start_case', start_case)
    return state


def cases_of(testapp, headers, name):
    found = testapp.get('/api/cases', {'q': name}, headers=headers).json
    return [c for c in found['cases'] if c['applicant'] == name]


def test_a_conflict_at_commit_is_retried_and_makes_one_case(
        testapp, conflicting):
    headers = auth(testapp, 'clerk')
    conflicting['left'] = 2
    body = intake_body(testapp)
    body['applicant']['name'] = '鞍山市重试药店有限公司'
    response = testapp.post_json('/api/cases', body, headers=headers,
                                 status=201)
    assert conflicting['calls'] == 3 and conflicting['committed'] == 1
    assert len(cases_of(testapp, headers, '鞍山市重试药店有限公司')) == 1
    assert response.json['case_number']


def test_a_conflict_on_every_attempt_ends_in_a_json_error(
        testapp, conflicting, app):
    headers = auth(testapp, 'clerk')
    attempts = int(app.registry.settings.get('retry.attempts', 3))
    conflicting['left'] = attempts
    body = intake_body(testapp)
    body['applicant']['name'] = '鞍山市一直冲突药店有限公司'
    response = testapp.post_json('/api/cases', body, headers=headers,
                                 status=500)
    assert response.json['error']['code'] == 'server-error'
    assert conflicting['calls'] == attempts
    assert cases_of(testapp, headers, '鞍山市一直冲突药店有限公司') == []

"""Item tasks keep their opinions and received decisions in their own
record."""
import transaction
from persistent import Persistent
from persistent.list import PersistentList

from casefile.case.task import ItemTask


def new_task():
    return ItemTask('SC-001', '企业设立登记', 'market_entry', (), 1, 3)


def test_a_new_task_is_one_record_without_persistent_parts():
    task = new_task()
    parts = [name for name, value in task.__getstate__().items()
             if isinstance(value, Persistent)]
    assert parts == []
    assert task.opinions == () and task.received == ()


def test_opinions_and_received_decisions_outlive_the_connection(root, app):
    tasks = root['cases']           # any folder of the site serves
    task = new_task()
    tasks.add('task-under-test', task, send_events=False,
              registry=app.registry)
    transaction.commit()
    task.add_opinion('reviewer.market', '材料齐全。', 'grant')
    task.add_opinion('reviewer.food', '同意。', 'grant')
    task.receive('decision-1')
    transaction.commit()

    db = app.registry._zodb_databases['']
    other = db.open()
    try:
        again = other.root()['app_root']['cases']['task-under-test']
        assert [o['author'] for o in again.opinions] == [
            'reviewer.market', 'reviewer.food']
        assert [o['proposal'] for o in again.opinions] == ['grant', 'grant']
        assert again.received == ('decision-1',)
    finally:
        other.close()


def test_a_task_of_an_older_database_keeps_its_lists_and_adds_to_them():
    task = new_task()
    task.opinions = PersistentList([{'author': 'a', 'text': '旧意见',
                                     'proposal': 'grant', 'when': ''}])
    task.received = PersistentList(['decision-0'])
    task.add_opinion('b', '新意见', 'deny')
    task.receive('decision-1')
    assert [o['text'] for o in task.opinions] == ['旧意见', '新意见']
    assert task.received == ('decision-0', 'decision-1')

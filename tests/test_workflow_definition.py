"""Workflow files: every validation rule, shown by a broken file, at its line.

Each directory under ``tests/data/workflows_broken/`` holds the small valid
workflow of ``valid/demo.yaml`` with one mistake (the first line of each
file says which) and must produce exactly the problems listed here: the
right file, the line of the offending entry and the message.  The shipped
workflows must load without any problem.
"""
import importlib
import os
import pathlib

import pytest

import casefile
from casefile.problems import Problem
from casefile.security.permissions import PERMISSIONS
from casefile.workflow.definition import (
    INPUT_TYPES, KNOWN_ROLES, TOP_KEYS, TRANSITION_KEYS, WorkflowError,
    load_directory, parse_definition)
from casefile.workflow.guards import GUARDS
from casefile.yamlsource import parse_yaml

from conftest import REPO

BROKEN = pathlib.Path(__file__).parent / 'data' / 'workflows_broken'
WORKFLOWS = os.path.join(REPO, 'workflows')


def register_all_guards():
    """Import every module of the app that registers a guard, as the app's
    includes do, so that the shipped files can be checked without an app."""
    package = pathlib.Path(casefile.__file__).parent
    for path in sorted(package.rglob('*.py')):
        if '@guard(' in path.read_text(encoding='utf-8'):
            parts = path.relative_to(package.parent).with_suffix('').parts
            importlib.import_module('.'.join(parts))
    return GUARDS


def shipped_definitions():
    """The workflows of ``workflows/``, as the app loads them."""
    return load_directory(WORKFLOWS, register_all_guards())

#: the guards the fixtures may name (``ready``); ``signed`` shows the list
FIXTURE_GUARDS = {'ready': None, 'signed': None}

TOP = ', '.join(TOP_KEYS)
NO_ROW = ("permissions: state %r has no row (write an empty mapping {} if "
          "nobody may do anything in it)")


def problems_in(rule, guards=FIXTURE_GUARDS):
    with pytest.raises(WorkflowError) as info:
        load_directory(str(BROKEN / rule), guards)
    error = info.value
    assert str(error) == '\n'.join(str(p) for p in error.problems)
    return error.problems


def at(rule, filename, line, message):
    return Problem(str(BROKEN / rule / filename), line, message)


# fixture directory -> [(file, line, message)], exactly, in any order
RULES = {
    'not_a_mapping': [
        ('demo.yaml', 2, 'a workflow file is a mapping with keys ' + TOP)],
    'unknown_top_key': [
        ('demo.yaml', 4, "unknown key 'description'; expected one of "
         + TOP)],
    'missing_required_key': [
        ('demo.yaml', 2, "missing required key 'content_type'")],
    'states_not_a_mapping': [
        ('demo.yaml', 6, 'states must be a mapping of state name to '
                         '{title: ...}'),
        # what then refers to the states cannot be checked either
        ('demo.yaml', 5, "initial state 'draft' is not one of the states"),
        ('demo.yaml', 10, "transition 'finish': unknown state 'draft' in "
                          "from"),
        ('demo.yaml', 11, "transition 'finish': unknown state 'done' in to"),
        ('demo.yaml', 17, "permissions: unknown state 'draft'"),
        ('demo.yaml', 19, "permissions: unknown state 'done'")],
    'state_without_title': [
        ('demo.yaml', 8, "state 'done' needs a title (the Chinese name "
                         "people see)")],
    'state_not_a_mapping': [
        ('demo.yaml', 8, "state 'done' needs a title (the Chinese name "
                         "people see)")],
    'unknown_state_key': [
        ('demo.yaml', 11, "state 'done': unknown key 'colour'")],
    'unknown_initial_state': [
        ('demo.yaml', 5, "initial state 'start' is not one of the states")],
    'transitions_not_a_mapping': [
        ('demo.yaml', 9, 'transitions must be a mapping of name to '
                         'definition')],
    'transition_not_a_mapping': [
        ('demo.yaml', 10, "transition 'finish' must be a mapping")],
    'unknown_transition_key': [
        ('demo.yaml', 16, "transition 'finish': unknown key 'notify'; "
                          "expected one of " + ', '.join(TRANSITION_KEYS))],
    'transition_missing_key': [
        ('demo.yaml', 10, "transition 'finish': missing required key "
                          "'to'")],
    'unknown_from_state': [
        ('demo.yaml', 12, "transition 'finish': unknown state 'review' in "
                          "from")],
    'unknown_to_state': [
        ('demo.yaml', 13, "transition 'finish': unknown state 'closed' in "
                          "to")],
    'unknown_transition_role': [
        ('demo.yaml', 14, "transition 'finish': unknown role 'director'; "
                          "known roles: " + ', '.join(KNOWN_ROLES))],
    'unknown_guard': [
        ('demo.yaml', 15, "transition 'finish': unknown guard 'paid'; "
                          "known guards: ready, signed")],
    'inputs_not_a_mapping': [
        ('demo.yaml', 16, "transition 'finish': inputs must be a mapping")],
    'input_not_a_mapping': [
        ('demo.yaml', 17, "transition 'finish': input 'note' must be a "
                          "mapping")],
    'unknown_input_key': [
        ('demo.yaml', 20, "transition 'finish': input 'note': unknown key "
                          "'default'")],
    'unknown_input_type': [
        ('demo.yaml', 19, "transition 'finish': input 'note': unknown type "
                          "'number'; expected one of "
                          + ', '.join(INPUT_TYPES))],
    'choice_without_options': [
        ('demo.yaml', 18, "transition 'finish': input 'delivery': a choice "
                          "needs options (value: title)")],
    'permissions_not_a_mapping': [
        ('demo.yaml', 18, 'permissions must be a table: state -> '
                          'permission -> roles'),
        ('demo.yaml', 18, NO_ROW % 'draft'),
        ('demo.yaml', 18, NO_ROW % 'done')],
    'unknown_permission_state': [
        ('demo.yaml', 22, "permissions: unknown state 'archived'")],
    'permission_row_not_a_mapping': [
        ('demo.yaml', 21, "permissions of 'done' must map permission -> "
                          "roles")],
    'unknown_permission': [
        ('demo.yaml', 21, "permissions of 'draft': unknown permission "
                          "'case.delete'; known permissions: "
                          + ', '.join(PERMISSIONS))],
    'permission_roles_not_a_list': [
        ('demo.yaml', 20, "permissions of 'draft': 'case.view' must list "
                          "roles")],
    'unknown_permission_role': [
        ('demo.yaml', 20, "permissions of 'draft': unknown role 'director' "
                          "for 'case.view'")],
    'system_in_permission_table': [
        ('demo.yaml', 20, "permissions of 'draft': unknown role 'system' "
                          "for 'case.view'")],
    'state_without_permission_row': [
        ('demo.yaml', 18, NO_ROW % 'done')],
    'duplicate_key': [
        ('demo.yaml', 5, "key 'title' is given twice in this mapping "
                         "(first on line 3); the second would silently "
                         "replace the first")],
    'duplicate_name': [
        ('b.yaml', 2, "workflow name 'demo' is used twice")],
    'not_utf8': [
        ('demo.yaml', 1, 'file is not UTF-8 text (invalid start byte)')],
    'three_mistakes': [
        ('demo.yaml', 4, "unknown key 'version'; expected one of " + TOP),
        ('demo.yaml', 15, "transition 'finish': unknown role 'director'; "
                          "known roles: " + ', '.join(KNOWN_ROLES)),
        ('demo.yaml', 22, "permissions of 'draft': unknown permission "
                          "'case.delete'; known permissions: "
                          + ', '.join(PERMISSIONS))],
    'two_broken_files': [
        ('a.yaml', 5, "initial state 'start' is not one of the states"),
        ('b.yaml', 13, "transition 'finish': unknown state 'closed' in "
                       "to")],
}


# -- the shipped files --------------------------------------------------------

def test_the_shipped_workflows_load_without_problems():
    definitions = shipped_definitions()
    assert {'case', 'task', 'stage'} <= set(definitions)
    by_type = {d.content_type: d.name for d in definitions.values()}
    assert len(by_type) == len(definitions)     # one workflow per type
    assert by_type['Case'] == 'case'
    assert by_type['Item Task'] == 'task'
    assert by_type['Project Stage'] == 'stage'
    for definition in definitions.values():
        assert os.path.dirname(definition.source) == WORKFLOWS
        assert definition.initial in definition.states
        assert set(definition.permissions) == set(definition.states)


def test_the_shipped_workflows_use_only_registered_guards():
    """Against an empty guard registry, every guard the files name is
    reported -- proof that the check is made against the registry."""
    definitions = shipped_definitions()
    used = {g for d in definitions.values()
            for t in d.transitions.values() for g in t.guards}
    assert {'required_materials_present', 'only_gap_materials_missing',
            'all_tasks_decided', 'all_results_ready',
            'prerequisites_decided', 'prerequisites_granted',
            'previous_stage_done'} <= used
    with pytest.raises(WorkflowError) as info:
        load_directory(WORKFLOWS, {})
    assert all("unknown guard '" in p.message for p in info.value.problems)
    named = {p.message.split("unknown guard '")[1].split("'")[0]
             for p in info.value.problems}
    assert named == used
    assert named <= set(GUARDS)


def test_final_states_of_the_shipped_workflows_have_no_way_out():
    for definition in shipped_definitions().values():
        for state in definition.states.values():
            if state.final:
                assert definition.transitions_from(state.name) == [], (
                    definition.name, state.name)


def test_whoever_may_take_a_step_may_also_see_the_object():
    """No button for someone who cannot open the page it is on."""
    definitions = shipped_definitions()
    for name, view in (('case', 'case.view'), ('task', 'task.view')):
        definition = definitions[name]
        for state in definition.states:
            table = definition.permission_map(state)
            viewers = set(table.get(view, ()))
            for t in definition.transitions_from(state):
                roles = set(t.roles) - {'system'}
                assert roles <= viewers, (definition.name, state, t.name)


def test_the_fixtures_are_one_mistake_away_from_a_valid_file():
    definitions = load_directory(str(BROKEN / 'valid'), FIXTURE_GUARDS)
    demo = definitions['demo']
    assert demo.initial == 'draft'
    assert demo.states['done'].final and not demo.states['draft'].final
    finish = demo.transitions['finish']
    assert (finish.from_states, finish.to, finish.roles, finish.guards) == (
        ('draft',), 'done', ('window_clerk',), ('ready',))
    assert [(i.name, i.type, i.required) for i in finish.inputs] == [
        ('note', 'text', False)]
    assert demo.permissions == {'draft': {'case.view': ('window_clerk',)},
                                'done': {}}


# -- every rule, at its line --------------------------------------------------

@pytest.mark.parametrize('rule', sorted(RULES))
def test_a_broken_file_is_reported_at_file_and_line(rule):
    expected = sorted(at(rule, *p) for p in RULES[rule])
    assert sorted(problems_in(rule)) == expected


def test_a_yaml_syntax_error_is_reported_where_the_parser_gave_up():
    [problem] = problems_in('yaml_syntax_error')
    assert problem.file == str(BROKEN / 'yaml_syntax_error' / 'demo.yaml')
    # the flow sequence opened on line 3 is still open on line 4
    assert problem.line == 4
    assert problem.message.startswith('YAML syntax error: ')
    assert problem.message.endswith(
        '(while parsing a flow sequence that starts on line 3)')


def test_all_problems_are_reported_at_once():
    problems = problems_in('three_mistakes')
    assert len(problems) == 3
    assert [p.line for p in problems] == [4, 15, 22]   # in file order
    problems = problems_in('two_broken_files')
    assert {os.path.basename(p.file) for p in problems} == {'a.yaml',
                                                            'b.yaml'}


def test_a_missing_directory_is_a_problem_not_a_crash(tmp_path):
    missing = tmp_path / 'no-such-dir'
    with pytest.raises(WorkflowError) as info:
        load_directory(str(missing), FIXTURE_GUARDS)
    assert info.value.problems == [
        Problem(str(missing), 1, 'workflows directory not found')]


def test_only_yaml_files_are_read(tmp_path):
    (tmp_path / 'demo.yaml').write_bytes(
        (BROKEN / 'valid' / 'demo.yaml').read_bytes())
    (tmp_path / 'notes.txt').write_text('not: [a workflow', encoding='utf-8')
    (tmp_path / 'demo.yaml.orig').write_text('- junk', encoding='utf-8')
    assert list(load_directory(str(tmp_path), FIXTURE_GUARDS)) == ['demo']


# -- parse_definition itself --------------------------------------------------

def parse(text, guards=FIXTURE_GUARDS):
    data, problems = parse_yaml(text, 'x.yaml')
    assert problems == []
    return parse_definition(data, 'x.yaml', guards)


def test_parse_definition_returns_the_definition_or_the_problems():
    text = (BROKEN / 'valid' / 'demo.yaml').read_text(encoding='utf-8')
    definition, problems = parse(text)
    assert problems == [] and definition.name == 'demo'
    assert definition.source == 'x.yaml'
    definition, problems = parse(text.replace('to: done', 'to: closed'))
    assert definition is None
    assert problems == [Problem('x.yaml', 13, "transition 'finish': "
                                "unknown state 'closed' in to")]


def test_a_single_name_may_be_written_without_brackets():
    text = (BROKEN / 'valid' / 'demo.yaml').read_text(encoding='utf-8')
    text = (text.replace('from: [draft]', 'from: draft')
            .replace('roles: [window_clerk]', 'roles: window_clerk')
            .replace('guards: [ready]', 'guards: ready'))
    definition, problems = parse(text)
    assert problems == []
    finish = definition.transitions['finish']
    assert (finish.from_states, finish.roles, finish.guards) == (
        ('draft',), ('window_clerk',), ('ready',))


def test_choice_options_keep_their_order_and_titles():
    definitions = shipped_definitions()
    [delivery] = [i for i in definitions['case'].transitions['issue'].inputs
                  if i.name == 'delivery']
    assert delivery.type == 'choice' and delivery.required
    assert delivery.options == (('in_person', '窗口领取'),
                                ('mail', '邮寄送达'), ('online', '网上送达'))


# -- permission_map -----------------------------------------------------------

def test_permission_map_adds_one_permission_per_transition_from_the_state():
    definitions = shipped_definitions()
    for definition in definitions.values():
        for state in definition.states:
            table = definition.permission_map(state)
            declared = {p: list(roles) for p, roles in
                        definition.permissions[state].items()}
            steps = {'%s.%s' % (definition.name, t.name):
                     [r for r in t.roles if r != 'system']
                     for t in definition.transitions.values()
                     if state in t.from_states and t.roles != ('system',)}
            assert table == dict(declared, **steps), (definition.name, state)
            assert not any('system' in roles for roles in table.values())
    case = definitions['case']
    submitted = case.permission_map('submitted')
    for step in ('accept', 'accept_with_gaps', 'request_correction',
                 'refuse', 'withdraw'):
        assert submitted['case.' + step] == ['window_clerk']
    assert 'case.resubmit' not in submitted
    assert 'case.issue' not in submitted
    # conclude may be fired by the system and the lead section: 'system'
    # is no principal and never appears in a table
    in_review = case.permission_map('in_review')
    assert in_review['case.conclude'] == ['lead_section']
    assert in_review['case.withdraw'] == ['window_clerk']
    assert 'case.accept' not in in_review
    # a final state: only what it declares
    assert case.permission_map('archived') == {
        p: list(roles) for p, roles in case.permissions['archived'].items()}


def test_permission_map_leaves_out_transitions_only_the_system_fires():
    definitions = shipped_definitions()
    task = definitions['task']
    assert not any(p.startswith('task.start')
                   for p in task.permission_map('waiting'))
    assert set(task.permission_map('waiting')) == set(
        task.permissions['waiting'])
    stage = definitions['stage']
    for state in stage.states:
        assert not any(p.startswith('stage.')
                       for p in stage.permission_map(state))
    approval = task.permission_map('awaiting_approval')
    assert approval['task.grant'] == ['section_head']
    assert approval['task.deny'] == ['section_head']
    assert approval['task.return_for_review'] == ['section_head']
    assert 'task.submit_opinion' not in approval


def test_permission_map_of_a_small_definition():
    text = (BROKEN / 'valid' / 'demo.yaml').read_text(encoding='utf-8')
    text = text.replace(
        'roles: [window_clerk]',
        'roles: [system, window_clerk, supervisor]').replace(
        'transitions:\n', 'transitions:\n  tick:\n    title: 自动\n'
        '    from: [draft]\n    to: draft\n    roles: [system]\n')
    definition, problems = parse(text)
    assert problems == []
    assert definition.permission_map('draft') == {
        'case.view': ['window_clerk'],
        'demo.finish': ['window_clerk', 'supervisor']}
    assert definition.permission_map('done') == {}
    # the map is a copy: changing it changes nothing in the definition
    definition.permission_map('draft')['case.view'].append('supervisor')
    assert definition.permission_map('draft')['case.view'] == [
        'window_clerk']


# -- known bugs ---------------------------------------------------------------

def test_to_written_as_a_list_is_a_problem_not_a_crash():
    problems = problems_in('to_is_a_list')
    assert [(os.path.basename(p.file), p.line) for p in problems] == [
        ('demo.yaml', 13)]
    assert "'to'" in problems[0].message or ' to' in problems[0].message


def test_an_empty_workflow_file_is_a_problem():
    problems = problems_in('empty_file')
    assert [(os.path.basename(p.file), p.line) for p in problems] == [
        ('demo.yaml', 1)]


def test_two_workflows_for_one_content_type_are_a_problem():
    problems = problems_in('duplicate_content_type')
    assert [(os.path.basename(p.file), p.line) for p in problems] == [
        ('b.yaml', 4)]
    assert "'Demo'" in problems[0].message

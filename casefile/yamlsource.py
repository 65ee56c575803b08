"""Reading the bureau's YAML files while remembering line numbers.

PyYAML's ``SafeLoader`` forgets where a value came from, but every problem
in a catalogue or workflow file must point at a line.  This loader builds ``LineDict`` and
``LineList`` (plain ``dict``/``list`` subclasses) that also remember the
line of the mapping or sequence, of each key, and of each list element.

It also reports what ``SafeLoader`` accepts silently but an editor never
means: a key written twice in one mapping (the second would win unseen).
"""
import yaml

from .problems import Problem


class LineDict(dict):
    """A YAML mapping with ``line`` (its first line) and each key's line."""

    line = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def line_of(self, key):
        """The line of ``key``, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence with ``line`` and the line of each element."""

    line = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_lines = []

    def line_of(self, index):
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(value, default=1):
    """The line a parsed value starts on, if it knows it."""
    return getattr(value, 'line', default)


#: libyaml's parser when PyYAML was built with it: three times faster on the
#: demo catalogue, same lines; only some syntax error wordings differ
_SafeLoader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """SafeLoader building ``LineDict``/``LineList`` and noting duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys = []   # (key, line, first line)


def _construct_mapping(loader, node):
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    yield mapping   # yielded first so that anchors referring back work
    own = sum(1 for key_node, _ in node.value
              if key_node.tag != 'tag:yaml.org,2002:merge')
    loader.flatten_mapping(node)
    first_own = len(node.value) - own   # merged (<<) pairs come first
    own_keys = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                'while constructing a mapping', node.start_mark,
                'found an unhashable key', key_node.start_mark)
        key_line = key_node.start_mark.line + 1
        if position >= first_own:   # overriding a merged key is intended
            if key in own_keys:
                loader.duplicate_keys.append((key, key_line,
                                              mapping.key_lines[key]))
            own_keys.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_line


def _construct_sequence(loader, node):
    sequence = LineList()
    sequence.line = node.start_mark.line + 1
    yield sequence
    for child in node.value:
        sequence.append(loader.construct_object(child, deep=True))
        sequence.item_lines.append(child.start_mark.line + 1)


_LineLoader.add_constructor('tag:yaml.org,2002:map', _construct_mapping)
_LineLoader.add_constructor('tag:yaml.org,2002:seq', _construct_sequence)


def parse_yaml(text, name):
    """Parse YAML ``text`` (from file ``name``): ``(data, problems)``.

    A syntax error becomes a problem at its line; ``data`` is then ``None``.
    An empty document gives ``None`` without a problem.
    """
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, name)]
    except yaml.YAMLError as error:   # pragma: no cover - unmarked errors are rare
        return None, [Problem(name, 1, f'YAML error: {error}')]
    finally:
        loader.dispose()
    problems = [
        Problem(name, line, f'key {key!r} is given twice in this mapping '
                            f'(first on line {first}); the second would '
                            f'silently replace the first')
        for key, line, first in loader.duplicate_keys]
    return data, problems


def _syntax_problem(error, name):
    """Where the parser gave up, and where the construct it was in began."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    message = f'YAML syntax error: {error.problem or error.context}'
    if error.context and error.problem:
        start = error.context_mark
        message += f' ({error.context}'
        if start is not None and start.line + 1 != line:
            message += f' that starts on line {start.line + 1}'
        message += ')'
    return Problem(name, line, message)


def read_yaml(path, name):
    """Read and parse one file; ``name`` is how problems refer to it."""
    try:
        with open(path, encoding='utf-8') as stream:
            text = stream.read()
    except UnicodeDecodeError as error:
        return None, [Problem(name, 1, f'file is not UTF-8 text ({error.reason})')]
    except OSError as error:
        return None, [Problem(name, 1, f'cannot read file: {error.strerror}')]
    return parse_yaml(text, name)

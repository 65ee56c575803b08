"""The files of a catalogue directory, parsed with their line numbers."""
import os
from dataclasses import dataclass, field

from ..yamlsource import (  # noqa: F401  (re-exported for the validator)
    LineDict, LineList, line_of, parse_yaml, read_yaml)
from .problems import Problem


#: the top-level files of a catalogue directory, and whether each must exist
FILES = {
    'catalogue.yaml': True,
    'sections.yaml': True,
    'materials.yaml': False,
    'fields.yaml': False,
    'matters.yaml': False,
    'projects.yaml': False,
}
ITEMS_DIR = 'items'


@dataclass
class Sources:
    """The parsed files of one catalogue directory.

    ``files`` maps a top-level file name (see ``FILES``) to its data;
    ``items`` lists ``(name, data)`` for each ``items/*.yaml`` in name order.
    A file that is absent is not there; one that could not be parsed is
    named in ``failed``.  Their problems are already recorded, and the
    validator checks what it can without piling follow-on problems on top.
    """

    files: dict = field(default_factory=dict)
    items: list = field(default_factory=list)
    failed: set = field(default_factory=set)

    def get(self, name):
        return self.files.get(name)


def read_directory(path):
    """Read a catalogue directory: ``(Sources, problems)``; never raises.

    ``Sources`` is ``None`` when ``path`` is not a directory at all.
    """
    sources, problems = Sources(), []
    if not os.path.isdir(path):
        return None, [Problem(str(path), 1, 'not a catalogue directory '
                                 '(it does not exist or is not a directory)')]
    expected = ', '.join(FILES) + f' and {ITEMS_DIR}/*.yaml'
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if entry in FILES or entry == ITEMS_DIR or entry.startswith('.'):
            continue
        if entry.endswith(('.yaml', '.yml')) or os.path.isdir(full):
            problems.append(Problem(entry, 1, f'unexpected file or directory '
                                    f'{entry!r}: a catalogue holds {expected}'))
    for name, required in FILES.items():
        full = os.path.join(path, name)
        if not os.path.isfile(full):
            if required:
                problems.append(Problem(name, 1, f'required file {name} is missing'))
            continue
        data, found = read_yaml(full, name)
        problems.extend(found)
        sources.files[name] = data
        if data is None and found:
            sources.failed.add(name)
    items_dir = os.path.join(path, ITEMS_DIR)
    names = sorted(os.listdir(items_dir)) if os.path.isdir(items_dir) else []
    for entry in names:
        name = f'{ITEMS_DIR}/{entry}'
        if entry.startswith('.'):
            continue
        if not entry.endswith('.yaml'):
            problems.append(Problem(name, 1, f'unexpected file {name!r}: '
                                    f'items files end in .yaml'))
            continue
        data, found = read_yaml(os.path.join(items_dir, entry), name)
        problems.extend(found)
        sources.items.append((name, data))
        if data is None and found:
            sources.failed.add(name)
    if not sources.items and not any(p.file.startswith(ITEMS_DIR) for p in problems):
        problems.append(Problem(f'{ITEMS_DIR}/', 1, f'no items: put the items '
                                f'in {ITEMS_DIR}/*.yaml (one file per section)'))
    return sources, problems

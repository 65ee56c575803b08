"""Loading a catalogue directory: read, validate, build -- or say what is wrong.

Two entry points for two kinds of caller.  Start-up and the import command
call ``load_catalogue``, which returns a ``Catalogue`` or raises
``CatalogueError`` carrying every problem: a broken catalogue must never be
used half-way.  The editor's check command and tests call
``check_catalogue``, which never raises for bad data and returns the
problems as a list, empty when all is well.
"""
from .model import Catalogue
from .problems import CatalogueError, Problem
from .validate import validate
from .yamlsource import read_directory

__all__ = ['load_catalogue', 'check_catalogue', 'read_catalogue',
           'CatalogueError', 'Problem']


def read_catalogue(path):
    """``(catalogue or None, problems)`` for the directory at ``path``."""
    sources, problems = read_directory(path)
    if sources is None:
        return None, problems
    data, found = validate(sources)
    problems = sorted(set(problems + found))
    if problems:
        return None, problems
    return Catalogue.from_dict(data), []


def check_catalogue(path):
    """All problems of the catalogue at ``path``; ``[]`` when it is valid."""
    return read_catalogue(path)[1]


def load_catalogue(path):
    """The ``Catalogue`` at ``path``; ``CatalogueError`` if anything is wrong."""
    catalogue, problems = read_catalogue(path)
    if problems:
        raise CatalogueError(problems)
    return catalogue

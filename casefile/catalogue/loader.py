"""Loading a catalogue directory: read, validate, build -- or say what is wrong.

Two entry points for two kinds of caller.  Start-up and the import command
call ``load_catalogue``, which returns a ``Catalogue`` or raises
``CatalogueError`` carrying every problem: a broken catalogue must never be
used half-way.  The editor's check command and tests call
``check_catalogue``, which never raises for bad data and returns the
problems as a list, empty when all is well.
"""
import os

from .model import Catalogue
from .problems import CatalogueError, Problem
from .validate import validate
from .yamlsource import read_directory

__all__ = ['load_catalogue', 'check_catalogue', 'read_catalogue',
           'CatalogueError', 'Problem']


#: ``organisations`` argument meaning "the organisations.yaml beside it"
BESIDE = 'beside'
PROJECT_ORGANISATIONS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
        __file__)))), 'schemas', 'organisations.yaml')


def organisations_beside(path):
    """``(Organisations or None, problems)`` of ``../organisations.yaml``.

    Items of other organisations (districts, city departments) name them;
    the file sits next to the catalogue directory (``schemas/``).  Its
    problems are the catalogue's problems too: without it those items
    cannot be checked.
    """
    from ..organisation import get_organisations
    from ..organisation.loader import read_organisations
    candidate = os.path.join(os.path.dirname(os.path.abspath(path)),
                             'organisations.yaml')
    if os.path.isfile(candidate):
        return read_organisations(candidate, '../organisations.yaml')
    # a copy of a catalogue directory elsewhere: the organisations in use,
    # else the project's own schemas/organisations.yaml
    if get_organisations() is not None:
        return get_organisations(), []
    if os.path.isfile(PROJECT_ORGANISATIONS):
        return read_organisations(PROJECT_ORGANISATIONS)
    return None, []


def read_catalogue(path, organisations=BESIDE):
    """``(catalogue or None, problems)`` for the directory at ``path``."""
    sources, problems = read_directory(path)
    if sources is None:
        return None, problems
    if organisations == BESIDE:
        organisations, found = organisations_beside(path)
        if found:
            return None, found
    data, found = validate(sources, organisations)
    problems = sorted(set(problems + found))
    if problems:
        return None, problems
    return Catalogue.from_dict(data), []


def check_catalogue(path, organisations=BESIDE):
    """All problems of the catalogue at ``path``; ``[]`` when it is valid."""
    return read_catalogue(path, organisations)[1]


def load_catalogue(path, organisations=BESIDE):
    """The ``Catalogue`` at ``path``; ``CatalogueError`` if anything is wrong."""
    catalogue, problems = read_catalogue(path, organisations)
    if problems:
        raise CatalogueError(problems)
    return catalogue

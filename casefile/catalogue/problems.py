"""Problems found in a catalogue directory, and the error that carries them.

The catalogue is bureau data edited by hand (业务协调科 adjusts it as powers
are transferred).  A mistake must be found before the catalogue is used,
and the editor must be told *where*: every problem names the file (relative
to the catalogue directory) and the 1-based line, like a compiler, so that
``file:line: message`` can be clicked in an editor or read in a log.
"""
from ..problems import Problem  # noqa: F401  (re-exported)


class CatalogueError(Exception):
    """Raised by ``load_catalogue``: the catalogue has problems.

    ``problems`` holds all of them, not just the first, so that one round of
    editing can fix everything.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self):
        count = len(self.problems)
        head = f'the catalogue has {count} problem{"s" if count != 1 else ""}:'
        return '\n'.join([head] + [f'  {p}' for p in self.problems])

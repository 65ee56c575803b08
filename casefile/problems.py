"""Problems found in a data file of the bureau, each at a file and line.

The catalogue and the workflows are bureau data edited by hand.  A mistake
must be found before the data is used, and the editor must be told *where*:
every problem names the file and the 1-based line, like a compiler, so that
``file:line: message`` can be clicked in an editor or read in a log.
"""
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the catalogue, at one place."""

    file: str
    line: int
    message: str

    def __str__(self):
        return f'{self.file}:{self.line}: {self.message}'

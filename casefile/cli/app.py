"""Opening an installation from the command line, lazily.

``casefile catalogue check DIR`` needs no database; everything else opens
the app once through Pyramid's ``bootstrap`` (so start-up preparation and
configuration are the same as the server's).
"""
import os

import click
import transaction


class Environment:
    def __init__(self, config, options):
        self.config = config
        self.options = options
        self._env = None

    @property
    def env(self):
        if self._env is None:
            from pyramid.paster import bootstrap, setup_logging
            if not os.path.exists(self.config):
                raise click.ClickException(
                    'configuration file %s not found (use -c INI)'
                    % self.config)
            setup_logging(self.config)
            self._env = bootstrap(self.config, options=self.options)
        return self._env

    @property
    def registry(self):
        return self.env['registry']

    @property
    def settings(self):
        return self.registry.settings

    @property
    def root(self):
        return self.env['root']

    def commit(self, note):
        transaction.get().note(note)
        transaction.commit()

    def close(self):
        if self._env is not None:
            transaction.abort()
            registry = self._env['registry']
            self._env['closer']()
            for db in getattr(registry, '_zodb_databases', {}).values():
                db.close()
            self._env = None

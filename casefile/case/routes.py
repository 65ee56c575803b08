"""Routes below one case, ``/cases/{number}/...``, traversing to the case.

Traversal makes the case the context, so its ACL (the permission table of
its state) decides every view on these routes, and an unknown number is
a plain 404.  ``config.add_case_route(name, '/upload')`` spares each
subsystem the prefix and the traversal; the API passes ``prefix='/api'``.
"""

CASE_PATH = '/cases/{number}'


def add_case_route(config, name, pattern='', prefix=''):
    config.add_route(name, prefix + CASE_PATH + pattern, traverse=CASE_PATH)


def includeme(config):
    config.add_directive('add_case_route', add_case_route)

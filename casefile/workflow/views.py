"""The workflows page: each workflow drawn, with its permission table."""
from pyramid.view import view_config

from ..security.permissions import PERMISSIONS
from ..security.roles import LOCAL_ROLE_TITLES, ROLES
from .diagram import render
from .engine import get_engine


@view_config(route_name='workflows', renderer='workflows.page',
             permission='workflow.view')
def workflows(request):
    engine = get_engine(request.registry)
    rows = []
    for definition in engine.definitions.values():
        permissions = sorted({p for s in definition.states
                              for p in definition.permission_map(s)})
        rows.append({'definition': definition, 'svg': render(definition),
                     'permissions': permissions})
    return {'workflows': rows, 'permission_titles': PERMISSIONS,
            'role_titles': dict(ROLES, **LOCAL_ROLE_TITLES)}


def includeme(config):
    config.add_route('workflows', '/admin/workflows')
    config.scan(__name__)

"""The JSON API (信息共享): the case life cycle for the city's platform.

Routes (documented, with a worked example run by the tests, in
``docs/api.md``)::

    POST   /api/tokens                                   sign in → token
    DELETE /api/tokens/current                           revoke it
    GET    /api/applications[/{code}]                    what one may apply for
    GET    /api/cases?q=                                 search
    POST   /api/cases                                    intake
    GET    /api/cases/{number}                           the case
    POST   /api/cases/{number}/materials                 upload (multipart)
    POST   /api/cases/{number}/transitions/{name}        a step of the case
    POST   /api/cases/{number}/tasks/{item}/transitions/{name}
    GET    /api/cases/{number}/inspection                the site inspection
    POST   /api/cases/{number}/inspection/transitions/{name}
    POST   /api/cases/{number}/inspection/report         the on-site report
    GET    /api/cases/{number}/reviews                   expert reviews
    POST   /api/cases/{number}/reviews                   draw a panel
    GET    /api/cases/{number}/reviews/{review}          one review
    POST   /api/cases/{number}/reviews/{review}/opinion  an expert's opinion
    POST   /api/cases/{number}/reviews/{review}/transitions/{name}
    GET    /api/worklist                                 my worklists

- ``auth.py``: tokens, the Bearer-or-cookie policy, CSRF for cookies
- ``errors.py``: JSON answers and JSON error views for ``/api/`` paths
- ``serialize.py``: cases, tasks, materials, documents, inspections and
  reviews as JSON
- ``views.py``: the case routes above, on the same services as the pages
- ``inspection.py``: the inspection and review routes, on
  :mod:`casefile.inspection.service` as the inspection page
"""
from .errors import ApiPathPredicate

def includeme(config):
    config.add_view_predicate('api', ApiPathPredicate)
    config.add_route('api_tokens', '/api/tokens')
    config.add_route('api_token_current', '/api/tokens/current')
    config.add_route('api_applications', '/api/applications')
    config.add_route('api_application', '/api/applications/{code}')
    config.add_route('api_cases', '/api/cases')
    add = config.add_case_route     # /api/cases/{number}/..., the case
    add('api_case', prefix='/api')
    add('api_case_materials', '/materials', prefix='/api')
    add('api_case_transition', '/transitions/{name}', prefix='/api')
    add('api_task_transition', '/tasks/{item}/transitions/{name}',
        prefix='/api')
    add('api_inspection', '/inspection', prefix='/api')
    add('api_inspection_transition', '/inspection/transitions/{name}',
        prefix='/api')
    add('api_inspection_report', '/inspection/report', prefix='/api')
    add('api_reviews', '/reviews', prefix='/api')
    add('api_review', '/reviews/{review}', prefix='/api')
    add('api_review_opinion', '/reviews/{review}/opinion', prefix='/api')
    add('api_review_transition', '/reviews/{review}/transitions/{name}',
        prefix='/api')
    config.add_route('api_worklist', '/api/worklist')
    config.scan('.errors')
    config.scan('.auth')
    config.scan('.views')
    config.scan('.inspection')

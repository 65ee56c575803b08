"""The site: first-start bootstrap, page layout and renderer, the home page.

Everything a signed-in member of staff sees first (the worklist) and the
frame around every page live here; the subsystems add their own pages.
"""
from .userinfo import user_info


def includeme(config):
    config.include('.renderers')
    config.add_request_method(user_info, 'user_info', reify=True)
    config.add_static_view('static', 'casefile:static/', cache_max_age=3600)
    config.add_static_view('deform_static', 'deform:static/',
                           cache_max_age=3600)
    config.add_route('home', '/')
    config.add_route('cases', '/cases')
    config.scan('.bootstrap')
    config.scan('.views')
    config.scan('.startup')
    config.scan('.globals')

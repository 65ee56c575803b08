"""``request.user_info``: who is signed in, in the terms the pages need."""

from ..security import find_user
from ..security.roles import ROLES, user_roles, user_sections


class UserInfo:
    def __init__(self, request, user):
        self.request = request
        self.user = user
        self.login = user.__name__
        self.title = getattr(user, 'title', None) or user.__name__
        self.roles = user_roles(user)
        self.sections = user_sections(user)
        self.is_admin = ('administrator' in self.roles
                         or any(g.__name__ == 'admins' for g in user.groups))

    @property
    def role_titles(self):
        translate = self.request.localizer.translate
        return [translate(ROLES[r]) for r in self.roles if r in ROLES]

    def can(self, permission):
        """Whether the user holds a site-wide permission (menus)."""
        return bool(self.request.has_permission(permission,
                                                self.request.root))

    @property
    def can_create(self):
        return bool(self.request.has_permission('case.create',
                                                self.request.root))


def user_info(request):
    userid = request.authenticated_userid
    if userid is None:
        return None
    user = find_user(request, userid)
    return None if user is None else UserInfo(request, user)

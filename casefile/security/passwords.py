"""The bureau's password policy for staff accounts.

:func:`check_password_policy` is to be called wherever a password is set
(a future password-change page, an administrator resetting one).  The
demo users keep their documented demo password.
"""
from ..i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 4096   # bcrypt of longer passwords is slow; login refuses them


def password_problems(login, password):
    """The list of rules ``password`` breaks (translatable strings)."""
    problems = []
    password = password if isinstance(password, str) else ''
    if len(password) < MIN_LENGTH:
        problems.append(_('The password must have at least 10 characters.'))
    if len(password) > MAX_LENGTH:
        problems.append(_('The password is too long.'))
    if not any(c.isalpha() for c in password) or \
            not any(c.isdigit() for c in password):
        problems.append(_('The password must contain both letters and '
                          'digits.'))
    if login and password and (
            login.strip().lower() in password.lower()):
        problems.append(_('The password must not contain the user name.'))
    return problems


class PasswordPolicyError(ValueError):
    def __init__(self, problems):
        super().__init__('; '.join(str(p) for p in problems))
        self.problems = problems


def check_password_policy(login, password):
    """Raise :class:`PasswordPolicyError` unless ``password`` is acceptable."""
    problems = password_problems(login, password)
    if problems:
        raise PasswordPolicyError(problems)
    return True

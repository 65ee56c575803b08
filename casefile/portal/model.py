"""Applicant accounts, drafts and ratings: the portal's own container.

Applicants are not staff.  They never become Substance D users or
principals, so no permission table of a case can ever name them by
mistake; they live in ``root['portal']``::

    portal (Applicant Portal)
    ├── accounts     account id -> Account (identifier, mobile, bcrypt hash)
    ├── identifiers  credit code / ID number -> account id (one account each)
    ├── mobiles      mobile -> account id (sign in with either)
    ├── ratings      case number -> Rating (好差评, one per case)
    └── followups    follow-up id -> FollowUp (bad ratings, for supervisors)

An account's own cases are the case numbers it submitted (or claimed with
the query code); the portal opens a case only when its
``applicant_account`` is the signed-in account, whatever number is typed.
"""
import datetime
import secrets

from BTrees.OOBTree import OOBTree
from cryptacular.bcrypt import BCRYPTPasswordManager
from persistent import Persistent
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from substanced.content import content
from substanced.folder import Folder

#: the same bcrypt hashing Substance D uses for staff passwords
PASSWORDS = BCRYPTPasswordManager()

#: bcrypt of very long passwords is slow; registration and login refuse them
MAX_PASSWORD = 4096


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def new_id(prefix, taken):
    """A random, unguessable id not in ``taken`` (ids appear in URLs)."""
    while True:
        value = prefix + secrets.token_hex(8)
        if value not in taken:
            return value


@content('Applicant Portal', icon='glyphicon glyphicon-globe')
class Portal(Folder):
    """Applicant accounts and what they leave behind (drafts, ratings)."""

    def __init__(self):
        super().__init__()
        self.accounts = OOBTree()
        self.identifiers = OOBTree()
        self.mobiles = OOBTree()
        self.ratings = OOBTree()
        self.followups = OOBTree()

    def account_for_login(self, login):
        """The account whose identifier or mobile is ``login``, or None."""
        login = (login or '').strip().upper()
        account_id = self.identifiers.get(login) or self.mobiles.get(login)
        return self.accounts.get(account_id) if account_id else None

    def add_account(self, account):
        self.accounts[account.id] = account
        self.identifiers[account.identifier] = account.id
        self.mobiles[account.mobile] = account.id


class Account(Persistent):
    """A company (credit code) or a person (ID number) applying online."""

    def __init__(self, account_id, kind, identifier, name, mobile, password,
                 contact=''):
        self.id = account_id
        self.kind = kind                  # 'company' | 'person'
        self.identifier = identifier
        self.name = name
        self.contact = contact
        self.mobile = mobile
        self.password = PASSWORDS.encode(password)
        self.created = _now()
        self.cases = PersistentList()     # case numbers, oldest first
        self.drafts = PersistentMapping()  # draft id -> Draft

    def check_password(self, password):
        if not password or len(password) > MAX_PASSWORD:
            return False
        return PASSWORDS.check(self.password, password)

    def owns(self, case):
        return case is not None and \
            getattr(case, 'applicant_account', None) == self.id


class Draft(Persistent):
    """An application being filled in online; kept until it is submitted.

    ``controls`` are the form's raw fields as the browser sent them (only
    strings), so a half-filled form is resumed exactly as it was left,
    invalid answers included.  ``files`` maps a material code to the
    uploads made for it (checked and stored, not yet in any case);
    ``reused`` maps a material code to what the bureau already holds.
    """

    def __init__(self, draft_id, application_code, application_name):
        self.id = draft_id
        self.application_code = application_code
        self.application_name = application_name
        self.controls = ()
        self.files = PersistentMapping()    # material code -> [StoredUpload]
        self.reused = PersistentMapping()   # material code -> reference
        self.created = _now()
        self.modified = self.created

    def touch(self):
        self.modified = _now()


def find_portal(root):
    return root['portal']

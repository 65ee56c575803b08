"""Identifiers checked at the door: credit codes and resident ID numbers.

Stable public API (operators script against it):

- :func:`is_valid_credit_code` — 统一社会信用代码, GB 32100-2015
- :func:`is_valid_id_number` — 居民身份证号码, GB 11643-1999
- :func:`credit_code_check_char`, :func:`id_number_check_char` — the check
  characters, for generating valid test data
"""
import datetime
import re

CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]

_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = '10X98765432'
_ID_RE = re.compile(r'^\d{17}[\dX]$')


def credit_code_check_char(first17):
    """The 18th character for the first 17 of a credit code."""
    total = sum(_CREDIT_VALUE[ch] * w
                for ch, w in zip(first17, _CREDIT_WEIGHTS))
    check = 31 - total % 31
    return CREDIT_ALPHABET[0 if check == 31 else check]


def is_valid_credit_code(s):
    """True for an 18-character code over the GB 32100 alphabet with a
    correct check character (I, O, Z, S, V never occur)."""
    if not isinstance(s, str) or len(s) != 18:
        return False
    if any(ch not in _CREDIT_VALUE for ch in s):
        return False
    return credit_code_check_char(s[:17]) == s[17]


def id_number_check_char(first17):
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def is_valid_id_number(s, today=None):
    """True for 17 digits + ISO 7064 MOD 11-2 check character, a plausible
    division code (first digit 1–8) and a real birth date not in the future.
    """
    if not isinstance(s, str) or not _ID_RE.match(s):
        return False
    if s[0] not in '12345678':
        return False
    try:
        birth = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    today = today or datetime.date.today()
    if birth > today or birth.year < 1900:
        return False
    return id_number_check_char(s[:17]) == s[17]

"""The random draw of experts, with recusal, recorded so anyone can re-run it.

The draw is deterministic given its record: the candidates are the active
experts of the speciality in a fixed order (by id); the excluded ones are
listed with their reason (same organisation as the applicant, a declared
conflict, drawn within the last ``recent_days`` days, explicitly excluded);
the panel is ``random.Random(seed).sample(eligible, size)``.  The seed is
drawn from the operating system and stored, so :func:`rerun` reproduces the
panel exactly from the record alone.
"""
import datetime
import random
import secrets

RECUSAL_REASONS = {
    'same_organisation': '与申请人同一单位',
    'declared_conflict': '申报存在利害关系',
    'recently_drawn': '近期已被抽取',
    'excluded': '指定回避',
    'inactive': '已停用',
}


class DrawError(ValueError):
    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def _same_org(expert, applicant):
    name = (applicant.get('name') or '').strip()
    code = (applicant.get('identifier') or '').strip().upper()
    return bool((name and expert.organisation.strip() == name)
                or (code and expert.org_credit_code.strip().upper() == code))


def _conflict(expert, applicant):
    name = (applicant.get('name') or '').strip()
    code = (applicant.get('identifier') or '').strip().upper()
    conflicts = {c.strip().upper() for c in expert.conflicts}
    return bool((name and name.upper() in conflicts)
                or (code and code in conflicts))


def _recent(expert, today, days):
    if not days:
        return False
    limit = today - datetime.timedelta(days=days)
    return any(datetime.date.fromisoformat(d) > limit
               for d in expert.drawn_on)


def draw(pool, speciality, size, applicant, exclude=(), recent_days=30,
         today=None, seed=None):
    """Draw ``size`` experts; return the record (a plain dict)."""
    today = today or datetime.date.today()
    if size < 1:
        raise DrawError('invalid-size', '抽取人数至少为 1 人。')
    candidates = sorted(key for key, e in pool.items()
                        if e.speciality == speciality)
    excluded = {}
    for key in candidates:
        expert = pool[key]
        if not expert.active:
            excluded[key] = 'inactive'
        elif _same_org(expert, applicant):
            excluded[key] = 'same_organisation'
        elif _conflict(expert, applicant):
            excluded[key] = 'declared_conflict'
        elif key in exclude or (expert.login and expert.login in exclude):
            excluded[key] = 'excluded'
        elif _recent(expert, today, recent_days):
            excluded[key] = 'recently_drawn'
    eligible = [k for k in candidates if k not in excluded]
    if len(eligible) < size:
        raise DrawError('too-few', '“%s”专业可抽取的专家只有 %d 人，不足 %d 人。'
                        '请减少人数或补充专家库。' % (speciality, len(eligible),
                                                    size))
    seed = seed if seed is not None else secrets.randbits(64)
    panel = sorted(random.Random(seed).sample(eligible, size))
    return {'speciality': speciality, 'size': size, 'seed': seed,
            'candidates': candidates, 'excluded': excluded,
            'eligible': eligible, 'panel': panel,
            'date': today.isoformat(), 'recent_days': recent_days}


def rerun(record):
    """The panel the recorded draw gives: equal to ``record['panel']``."""
    return sorted(random.Random(record['seed']).sample(
        list(record['eligible']), record['size']))

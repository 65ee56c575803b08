"""Named guards that workflow files may put on transitions.

A guard is ``guard(obj, engine) -> None`` when the transition may happen,
or a translation string saying, in words the user understands, what must
happen first.  Guards are registered by the subsystems that know the rule
(the case life cycle registers ``all_tasks_decided``...); the workflow
validator rejects a file naming a guard nobody registered.
"""

GUARDS = {}


def guard(name):
    def decorate(func):
        GUARDS[name] = func
        return func
    return decorate

"""Deform conventions shared by every form of the bureau's pages.

Every deform form carries the session's CSRF token in a hidden
``_csrf_token_`` field (deform's own convention, STACK.md trap 13) which
the schema itself validates, so no view can forget the check.
"""
import colander
import deform

from .i18n import _


@colander.deferred
def deferred_csrf_default(node, kw):
    return kw['request'].session.get_csrf_token()


@colander.deferred
def deferred_csrf_validator(node, kw):
    def validate(node, value):
        if value != kw['request'].session.get_csrf_token():
            raise colander.Invalid(node, _(
                'Your session has expired. Please reload the page and '
                'submit again.'))
    return validate


class CSRFSchema(colander.MappingSchema):
    """Base schema of every form: ``schema.bind(request=request)``."""

    _csrf_token_ = colander.SchemaNode(
        colander.String(), name='_csrf_token_',
        widget=deform.widget.HiddenWidget(),
        default=deferred_csrf_default, validator=deferred_csrf_validator)

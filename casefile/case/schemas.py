"""Colander schemas for intake: the applicant, then the one form.

The one form's fields come from the catalogue (see
:mod:`casefile.catalogue.forms`); the applicant block is the same for every
application and is validated here, including the check characters of
credit codes and ID numbers.
"""
import colander
import deform

from .. import identifiers
from ..catalogue.forms import phone_validator
from ..i18n import _


def applicant_validator(node, value):
    """Companies give a credit code, persons an ID number; both checked."""
    kind = value.get('applicant_kind')
    identifier = (value.get('identifier') or '').strip().upper()
    if kind == 'company' and not identifiers.is_valid_credit_code(identifier):
        exc = colander.Invalid(node)
        exc['identifier'] = _(
            'This is not a valid unified social credit code (18 characters, '
            'the last one a check character). Please check it against the '
            'business licence.')
        raise exc
    if kind == 'person' and not identifiers.is_valid_id_number(identifier):
        exc = colander.Invalid(node)
        exc['identifier'] = _(
            'This is not a valid resident ID number (18 characters, the last '
            'one a check digit or X). Please check it against the ID card.')
        raise exc


class ApplicantSchema(colander.MappingSchema):
    """Who applies; the identifier is checked by :func:`applicant_validator`."""

    applicant_kind = colander.SchemaNode(
        colander.String(), title=_('Applicant type'),
        widget=deform.widget.RadioChoiceWidget(values=(
            ('company', _('Company or organisation')),
            ('person', _('Person')))),
        validator=colander.OneOf(['company', 'person']),
        default='company')
    name = colander.SchemaNode(
        colander.String(), title=_('Applicant name'),
        validator=colander.Length(min=2, max=100),
        description=_('Full registered name of the company, or the '
                      'person\'s name as on the ID card.'))
    identifier = colander.SchemaNode(
        colander.String(), title=_('Credit code or ID number'),
        preparer=lambda v: v.strip().upper() if isinstance(v, str) else v,
        validator=colander.Length(min=18, max=18, min_err=_(
            'Must be exactly 18 characters.'), max_err=_(
            'Must be exactly 18 characters.')))
    contact = colander.SchemaNode(
        colander.String(), title=_('Contact person'),
        validator=colander.Length(min=2, max=50))
    phone = colander.SchemaNode(
        colander.String(), title=_('Contact phone'),
        validator=phone_validator)

"""The one form as a deform form: catalogue fields to colander nodes.

Each catalogue field type maps to one colander type, one widget and the
validators that make its values typed rather than free text (credit codes
and ID numbers with their check characters, phones, areas in m², money in
yuan, an address in one of Anshan's districts).  Shared fields come first,
then one fieldset per item for what only that item asks.
"""
import decimal
import re

import colander
import deform

from .. import identifiers
from ..i18n import _
from .vocabulary import DISTRICTS

PHONE_RE = re.compile(r'^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$')


def phone_validator(node, value):
    if not PHONE_RE.match(value.replace(' ', '')):
        raise colander.Invalid(node, _(
            'Enter an 11-digit mobile number or a landline such as '
            '0412-5551234.'))


def credit_code_validator(node, value):
    if not identifiers.is_valid_credit_code(value):
        raise colander.Invalid(node, _(
            'This is not a valid unified social credit code (18 characters, '
            'the last one a check character). Please check it against the '
            'business licence.'))


def id_number_validator(node, value):
    if not identifiers.is_valid_id_number(value):
        raise colander.Invalid(node, _(
            'This is not a valid resident ID number (18 characters, the last '
            'one a check digit or X). Please check it against the ID card.'))


def _upper_strip(value):
    return value.strip().upper() if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def finite(node, value):
    """``Decimal('NaN')`` and ``Decimal('Infinity')`` parse as numbers
    (hypothesis found "NAN"), and comparing NaN raises: refuse them first."""
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise colander.Invalid(node, _('"${val}" is not a number',
                                       mapping={'val': str(value)}))


def positive(node, value):
    finite(node, value)
    if value <= 0:
        raise colander.Invalid(node, _('Must be greater than zero.'))


def not_negative(node, value):
    finite(node, value)
    if value < 0:
        raise colander.Invalid(node, _('Must not be negative.'))


class AddressSchema(colander.MappingSchema):
    district = colander.SchemaNode(
        colander.String(), title=_('District'),
        widget=deform.widget.SelectWidget(
            values=[('', '—')] + sorted(DISTRICTS.items())),
        validator=colander.OneOf(list(DISTRICTS)))
    detail = colander.SchemaNode(
        colander.String(), title=_('Street and number'),
        preparer=_strip, validator=colander.Length(min=2, max=200))


def field_node(field, name=None):
    """A colander node for one catalogue field (``name`` = form key)."""
    kw = {'name': name or field.key, 'title': field.label,
          'description': field.help or ''}
    if not field.required:
        kw['missing'] = colander.drop if field.type != 'boolean' else False
    t = field.type
    max_length = field.max_length or (2000 if t == 'textarea' else 200)
    if t in ('text', 'textarea'):
        widget = (deform.widget.TextAreaWidget(rows=4) if t == 'textarea'
                  else deform.widget.TextInputWidget())
        return colander.SchemaNode(
            colander.String(), widget=widget, preparer=_strip,
            validator=colander.Length(max=max_length), **kw)
    if t == 'credit_code':
        return colander.SchemaNode(
            colander.String(), preparer=_upper_strip,
            validator=credit_code_validator, **kw)
    if t == 'id_number':
        return colander.SchemaNode(
            colander.String(), preparer=_upper_strip,
            validator=id_number_validator, **kw)
    if t == 'phone':
        return colander.SchemaNode(
            colander.String(), preparer=_strip, validator=phone_validator,
            **kw)
    if t == 'date':
        return colander.SchemaNode(
            colander.Date(), widget=deform.widget.DateInputWidget(), **kw)
    if t == 'area':
        kw['title'] = '%s（㎡）' % field.label
        return colander.SchemaNode(
            colander.Decimal(quant='0.01', rounding=decimal.ROUND_HALF_UP),
            validator=positive, **kw)
    if t == 'money':
        kw['title'] = '%s（元）' % field.label
        return colander.SchemaNode(
            colander.Decimal(quant='0.01', rounding=decimal.ROUND_HALF_UP),
            validator=not_negative, **kw)
    if t == 'integer':
        return colander.SchemaNode(colander.Integer(), validator=not_negative,
                                   **kw)
    if t == 'choice':
        values = [(o, o) for o in field.options]
        return colander.SchemaNode(
            colander.String(),
            widget=deform.widget.SelectWidget(values=[('', '—')] + values),
            validator=colander.OneOf(list(field.options)), **kw)
    if t == 'boolean':
        # a checkbox is always answered (unchecked = no): never "required"
        kw['missing'] = False
        return colander.SchemaNode(
            colander.Boolean(), widget=deform.widget.CheckboxWidget(), **kw)
    if t == 'address':
        # the help text belongs to the street field, not the whole group
        schema = AddressSchema(**dict(kw, description=''))
        schema['detail'].description = kw['description']
        return schema
    raise ValueError('unknown field type %r' % t)


def one_form_schema(catalogue, code, base=None):
    """The colander schema of the one form of application ``code``.

    ``base`` (a schema instance) receives the shared fields first; each
    item-specific group becomes a mapping named ``item_<code>``.
    """
    form = catalogue.merged_fields(code)
    schema = base if base is not None else colander.SchemaNode(
        colander.Mapping())
    shared = colander.SchemaNode(colander.Mapping(), name='shared',
                                 title=_('Shared facts (asked once)'))
    for entry in form.shared:
        shared.add(field_node(entry.field))
    if len(shared.children):
        schema.add(shared)
    for group in form.per_item:
        node = colander.SchemaNode(colander.Mapping(),
                                   name=group_name(group.item),
                                   title=group.name)
        for field in group.fields:
            node.add(field_node(field))
        schema.add(node)
    return schema


def group_name(item_code):
    return 'item_' + re.sub(r'[^A-Za-z0-9_]', '_', item_code)


def flatten_form_data(appstruct):
    """One-form values as JSON-friendly data: {'shared': {...}, item...}."""
    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, decimal.Decimal):
            return str(value)
        if hasattr(value, 'isoformat'):
            return value.isoformat()
        return value
    return {k: plain(v) for k, v in appstruct.items()
            if k == 'shared' or k.startswith('item_')}


def display_value(field, value):
    """A stored one-form value as people read it."""
    if value in (None, ''):
        return '—'
    if field.type == 'address' and isinstance(value, dict):
        return '%s %s' % (DISTRICTS.get(value.get('district'), ''),
                          value.get('detail', ''))
    if field.type == 'boolean':
        return '是' if value in (True, 'true') else '否'
    if field.type == 'area':
        return '%s ㎡' % value
    if field.type == 'money':
        try:
            return '{:,.2f} 元'.format(decimal.Decimal(value))
        except (decimal.InvalidOperation, ValueError):
            return '%s 元' % value
    return str(value)


def form_rows(catalogue, code, form_data):
    """The one form of a case as ``[(heading, [(label, value)])]``.

    The first group (heading ``None``) holds the shared facts; then one
    group per item for what only that item asks.
    """
    form = catalogue.merged_fields(code)
    shared = form_data.get('shared', {})
    groups = [(None, [(entry.field.label,
                       display_value(entry.field, shared[entry.field.key]))
                      for entry in form.shared
                      if entry.field.key in shared])]
    for group in form.per_item:
        values = form_data.get(group_name(group.item), {})
        rows = [(field.label, display_value(field, values[field.key]))
                for field in group.fields if field.key in values]
        if rows:
            groups.append((group.name, rows))
    return groups

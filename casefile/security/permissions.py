"""Every permission the bureau's permission tables may name.

Workflow files are validated against this list, so a typo in a table is
an error at start-up, not a silent hole.  Transition permissions are not
listed here: the engine derives one per transition (``<workflow>.<name>``).
"""
from ..i18n import _

PERMISSIONS = {
    'case.view': _('View the case'),
    'case.download': _('Open the case materials'),
    'case.edit': _('Edit the application form'),
    'case.add-material': _('Add or replace materials'),
    'case.chase': _('Chase the sections (lead section)'),
    'case.clock': _('Stop and resume the clock'),
    'case.review': _('Organise an expert review'),
    'task.extend': _('Extend the time limit of an item'),
    'task.view': _('View an item task'),
    'project.view': _('View a project'),
    'inspection.view': _('View the site inspection'),
    'inspection.report': _('Write the on-site report'),
    'review.view': _('View an expert review'),
    'review.opine': _('Give an expert opinion'),
    'annotation.view': _('Read the annotations on documents'),
    'annotation.add': _('Annotate documents and reply to annotations'),
    'archive.describe': _("Edit an archive's archival metadata"),
}

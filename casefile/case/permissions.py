"""The names of the permissions case pages check.

Who holds them in which state is the case workflow's permission table
(``workflows/case.yaml``), turned into ACLs by the workflow engine.
"""
CASE_VIEW = 'case.view'
CASE_EDIT = 'case.edit'
CASE_ADD_MATERIAL = 'case.add-material'
CASE_DOWNLOAD = 'case.download'
CASE_CHASE = 'case.chase'
TASK_VIEW = 'task.view'

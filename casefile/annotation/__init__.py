"""The document viewer and annotations (批注) of a case.

- ``render.py``: PDF pages to PNG (pypdfium2, cached per sha256/page/width),
  DOCX to text (python-docx)
- ``model.py``: the ``Annotation`` content type, kept in the case's
  ``annotations`` container and following the case's permission table
- ``service.py``: adding, replying, resolving; the notes for the next
  one-time correction notice
- ``views.py``: the viewer page (versions, comparison, annotations)
"""


def includeme(config):
    config.scan('.model')
    config.include('.views')

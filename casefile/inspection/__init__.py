"""Centralised site inspection and expert review (现场勘验 · 专家评审).

The inspection section (现场勘验科) does every site inspection of a case
in one visit and organises every expert review; both stop the clock for
the items they concern (Art. 45).  ``model.py`` holds the records,
``experts.py`` the reproducible random draw with recusal, ``service.py``
what each step does to the case, ``views.py`` the inspection page.
"""


def includeme(config):
    config.scan('.model')
    config.scan('.service')   # registers the guards the workflows name
    config.include('.views')

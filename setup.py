# All metadata is in setup.cfg; this file lets `pip install -e .` work with
# the setuptools pinned below 82 (pyramid 1.x needs pkg_resources).
from setuptools import setup

setup()

"""
>>> never_collected_either
"""
from setuptools import setup

setup(name="pkg")

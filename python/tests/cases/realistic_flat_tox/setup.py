from setuptools import setup

setup(name="mylib", packages=["mylib"])

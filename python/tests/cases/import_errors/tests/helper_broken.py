# A helper beside the tests whose own import fails (factory_boy's example app imports
# flask): pytest's import of the test module that imports it fails too.
import os

import flask_not_installed_here  # noqa: F401

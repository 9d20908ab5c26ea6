from helpers import TestHelperClass, test_helper_function
from helpers import check_something as test_renamed_import
from os.path import join as test_join  # a plain Python function: collected
from star_source import *  # noqa: F403


def test_local():
    pass

import warnings

import pytest


def pytest_configure(config):
    # Under filterwarnings = error this raises in pytest's start-up: INTERNALERROR, exit 3.
    warnings.warn(pytest.PytestDeprecationWarning("configure-time deprecation"))

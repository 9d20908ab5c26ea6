import os

import helper_chain  # noqa: F401

VALUE = 1

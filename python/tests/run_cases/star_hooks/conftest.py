# Hooks and a fixture arrive by a star import: pluggy registers the conftest
# module's `pytest_*` attributes wherever they were defined.
from star_helpers import *  # noqa: F401,F403

"""Hooks defined in another module and bound here by import or assignment: pytest
registers them as this conftest's, wherever their bodies are."""

import hook_helpers
from hook_helpers import pytest_collection_modifyitems, pytest_generate_tests  # noqa: F401

pytest_ignore_collect = hook_helpers.pytest_ignore_collect

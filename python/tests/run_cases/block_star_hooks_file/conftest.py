try:
    # A star import in a block: the module's hooks are the conftest's.
    from hooks_plugin import *  # noqa: F401,F403
except ImportError:
    pass

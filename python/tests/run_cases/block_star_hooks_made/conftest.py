import os

# SQLAlchemy's shape: bootstrap code, compiled and run inside a `with` block, makes the
# plugin module, and the conftest star-imports it there: its hooks are the conftest's,
# readable nowhere.
bootstrap_file = os.path.join(os.path.dirname(__file__), "bootstrap_plugin.txt")

with open(bootstrap_file) as f:
    code = compile(f.read(), "bootstrap_plugin.py", "exec")
    exec(code, globals(), locals())
    from made_plugin import *  # noqa: F401,F403

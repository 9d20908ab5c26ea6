import logging

# Imported during collection (not an initial conftest unless `sub` is an argument),
# when the root logger has handlers: a no-op under pytest.
logging.basicConfig(level=logging.DEBUG, format="SUB %(message)s")

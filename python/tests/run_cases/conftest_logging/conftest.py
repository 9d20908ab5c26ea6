import logging

# pytest imports this initial conftest before its logging plugin puts handlers on the
# root logger: the handler and the level stay for the session.
logging.basicConfig(level=logging.INFO, format="ROOT %(levelname)s:%(name)s:%(message)s")

STATE = {}


def pytest_sessionstart(session):
    STATE["started"] = True
    session.config.get_terminal_writer().line("far plugin says hello")


def pytest_collection_modifyitems(items):
    items.reverse()

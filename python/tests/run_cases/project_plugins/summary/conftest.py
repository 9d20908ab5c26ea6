pytest_plugins = ["helpers.summary"]

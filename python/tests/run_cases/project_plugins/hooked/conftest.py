pytest_plugins = ["helpers.hooked"]

# Its directory is no importable name: pytest imports this file (as `__init__`) only
# when the package's first item is set up.
print("init of broken-dir ran")
raise RuntimeError("init ran at setup")

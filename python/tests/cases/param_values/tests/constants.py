SHARED = ["from", "another", "module"]

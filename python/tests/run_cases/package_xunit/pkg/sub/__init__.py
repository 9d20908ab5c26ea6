def setUpModule():
    # A failing package setup fails every item below it, with the same exception.
    raise ValueError("sub package setup fails")


def tearDownModule():
    print("never: the setup failed")

import warnings
warnings.warn("import z", DeprecationWarning)
def test_z(): pass

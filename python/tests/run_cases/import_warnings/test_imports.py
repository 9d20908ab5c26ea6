import warnings

warnings.warn(DeprecationWarning("deprecated at import"))
warnings.warn(UserWarning("ignored at import"))


def test_after_import():
    warnings.warn(UserWarning("in a test"))

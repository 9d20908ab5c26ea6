import warnings

warnings.warn(UserWarning("conftest import"))

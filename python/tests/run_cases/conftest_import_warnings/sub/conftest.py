import warnings

warnings.warn("a sub conftest warns", UserWarning)

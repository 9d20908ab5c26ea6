import warnings

warnings.warn("sub conftest import", UserWarning)

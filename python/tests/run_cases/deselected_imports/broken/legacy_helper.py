import warnings

warnings.warn("legacy_helper is deprecated", DeprecationWarning)

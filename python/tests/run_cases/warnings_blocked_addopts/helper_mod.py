import warnings
warnings.warn("at import of helper", UserWarning)

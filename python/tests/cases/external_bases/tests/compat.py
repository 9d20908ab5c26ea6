import unittest  # noqa: F401  (re-exported, as compatibility modules do)

try:
    import not_installed_anywhere_xyz  # noqa: F401  (a guarded import: the fallback's)
except ImportError:
    pass

import state_mixed

state_mixed.FLAGS.append("test_2_setup imported")

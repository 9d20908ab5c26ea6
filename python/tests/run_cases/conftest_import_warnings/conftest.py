"""An initial conftest that warns at import, beside a file only pytest's collection
proves: the import fallback meets the warning at pytest's config stage and tags it
with the conftest, which the native run imports again (no hand-over to pytest)."""

import warnings

warnings.warn("the root conftest warns", UserWarning)
warnings.warn("and deprecates", DeprecationWarning)

# Names that look like tests but hold modules: pytest collects neither.
import helperpkg.testing as testing_module
from helperpkg import testing


def test_client():
    assert testing.make_client() == testing_module.make_client()

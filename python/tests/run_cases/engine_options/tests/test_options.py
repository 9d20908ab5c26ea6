import pytest


def test_probe(probe):
    import probe_helper  # noqa: F401 - on sys.path through `pythonpath`

    print()
    for line in probe:
        print(line)


@pytest.mark.slow
def test_other():
    pass

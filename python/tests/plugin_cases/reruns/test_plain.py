def test_fails_once_globally(attempt):
    # Rerun only under `--reruns`.
    assert attempt >= 2


def test_fails(attempt):
    assert attempt == 0


def test_passes():
    pass

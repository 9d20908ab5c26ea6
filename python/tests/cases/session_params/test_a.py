def test_store(backend):
    assert backend in ("memory", "disk")


def test_plain():
    pass


def test_fails_on_disk(backend):
    assert backend == "memory"

def test_skipped_dir():
    pass


def test_skipped_dir_2():
    pass

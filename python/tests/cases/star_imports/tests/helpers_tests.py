"""A helper whose public names include a test: pytest collects it where it is imported."""


def test_from_helper():
    assert True


def util():
    return 1

def test_version(each_version):
    assert each_version.startswith("3.")


def test_case(case):
    assert case % 2 == 0


def test_other():
    assert True

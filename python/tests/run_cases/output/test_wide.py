import pytest


@pytest.fixture
def noisy():
    print("setup output")
    yield
    print("teardown output")


def test_noisy(noisy):
    print("call output")


@pytest.mark.skip(reason="日本語の理由がとても長いのでターミナル幅を超えてしまうかもしれませんね")
def test_wide_reason():
    pass


def test_fail_wide():
    assert 0, "日本語の理由がとても長いのでターミナル幅を超えてしまうかもしれませんね、どうでしょうか"

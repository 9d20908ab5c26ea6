def test_options(db_url, pytestconfig):
    assert db_url == "sqlite://"
    assert pytestconfig.getoption("fast") is False
    assert pytestconfig.getoption("--retries") == 3
    assert pytestconfig.option.retry_count == 3
    assert pytestconfig.getoption("tags") is None


def test_ini(pytestconfig):
    assert pytestconfig.getini("my_ini") == "x"
    assert pytestconfig.getini("my_list") == []
    assert pytestconfig.getini("my_flag") is False


def test_fails(db_url):
    assert db_url == "postgres://"

def test_from_check_file(tmp_path_factory):
    assert tmp_path_factory.getbasetemp().is_dir()

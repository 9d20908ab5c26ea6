def test_tmp_path(tmp_path):
    assert tmp_path.is_dir()


def test_tmpdir(tmpdir):
    # No such fixture without pytest's legacypath plugin: an error at setup.
    pass


def test_no_py_path_attributes(request):
    assert not hasattr(request.node, "fspath")
    assert not hasattr(request, "fspath")
    assert not hasattr(request.config, "rootdir")
    assert not hasattr(request.config, "inifile")
    assert not hasattr(request.config, "invocation_dir")


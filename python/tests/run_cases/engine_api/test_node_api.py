"""What tests and conftests read off pytest's nodes, request, session and config (the
survey's probes: each failed with an AttributeError or ValueError in the native
engine)."""
import os

import pytest

FINALIZED = []


@pytest.fixture
def node_finalizer(request):
    request.node.addfinalizer(lambda: FINALIZED.append(request.node.name))
    return request.node.name


def test_node_addfinalizer(node_finalizer):
    assert node_finalizer == "test_node_addfinalizer"


def test_node_finalizer_ran():
    assert FINALIZED == ["test_node_addfinalizer"]


class TestNames:
    def test_listnames_and_modpath(self, request):
        node = request.node
        assert node.listnames()[-3:] == ["test_node_api.py", "TestNames", "test_listnames_and_modpath"]
        assert node.getmodpath() == "TestNames.test_listnames_and_modpath"
        assert node.getmodpath(includemodule=True) == "test_node_api.TestNames.test_listnames_and_modpath"
        path, lineno, modpath = node.reportinfo()
        assert (os.path.basename(path), lineno, modpath) == (
            "test_node_api.py", 25, "TestNames.test_listnames_and_modpath"
        )
        assert node.parent.config is request.config
        assert node.session.config is request.config


def test_config_paths(request, pytestconfig):
    assert pytestconfig.rootdir == pytestconfig.rootpath
    assert str(pytestconfig.invocation_dir) == str(pytestconfig.invocation_params.dir)
    assert request.fspath.basename == "test_node_api.py"
    assert pytestconfig.inifile.basename == "pytest.ini"


def test_config_builtin_ini(pytestconfig):
    assert pytestconfig.getini("python_classes") == ["Test"]
    assert pytestconfig.getini("python_functions") == ["test"]
    assert pytestconfig.getini("testpaths") == []
    assert pytestconfig.getini("minversion") == ""
    assert pytestconfig.getini("junit_family") == "xunit2"
    assert "node_modules" in pytestconfig.getini("norecursedirs")


def test_session_state(request):
    session = request.session
    assert session.shouldfail is False
    assert session.shouldstop is False
    assert session.exitstatus == 0
    assert session.startpath == request.config.invocation_params.dir


def test_xfail_applied_in_the_body(request):
    request.applymarker(pytest.mark.xfail(reason="found out while running"))
    assert 0


def test_strict_xfail_added_in_the_body_passes(request):
    request.node.add_marker(pytest.mark.xfail(reason="strict", strict=True))

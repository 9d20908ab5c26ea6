import logging

import pytest

log = logging.getLogger("warehouse")


@pytest.fixture
def logs_in_setup():
    log.warning("setting up")
    yield
    log.warning("tearing down")


def test_tmpdir(tmpdir):
    f = tmpdir.join("a.txt")
    f.write("text")
    assert f.read() == "text"
    assert tmpdir.basename.startswith("test_tmpdir")


def test_tmpdir_factory(tmpdir_factory):
    d = tmpdir_factory.mktemp("legacy")
    assert d.check(dir=True)
    assert d.basename.startswith("legacy")


def test_tmpdir_in_failure(tmpdir):
    assert tmpdir.join("nothing").check()


def test_caplog_at_level(caplog):
    with caplog.at_level(logging.DEBUG, logger="warehouse"):
        log.debug("inside")
    log.debug("outside")
    assert [r.getMessage() for r in caplog.records] == ["inside"]
    assert "inside" in caplog.text


def test_caplog_set_level_is_restored():
    assert logging.getLogger("inventory").level == logging.NOTSET
    assert logging.getLogger().level == logging.WARNING


def test_caplog_phases(logs_in_setup, caplog):
    log.warning("calling")
    assert [r.getMessage() for r in caplog.get_records("setup")] == ["setting up"]
    assert [r.getMessage() for r in caplog.get_records("call")] == ["calling"]
    assert caplog.record_tuples == [("warehouse", logging.WARNING, "calling")]


def test_caplog_clear_keeps_report(caplog):
    log.warning("before clear")
    caplog.clear()
    log.error("after clear")
    assert caplog.messages == ["after clear"]
    assert False, "the report shows both records"


def test_log_without_caplog():
    log.warning("plain warning")
    log.info("not shown: below the root level")
    assert 0


def test_pytestconfig_rootpath(pytestconfig, request):
    assert pytestconfig is request.config
    assert pytestconfig.getini("python_files") == ["test_*.py", "check_*.py"]


def test_doctest_namespace(doctest_namespace):
    doctest_namespace["np"] = 1
    assert doctest_namespace == {"np": 1}


def test_record_property(record_property, request):
    record_property("count", 3)
    assert request.node.user_properties == [("count", 3)]


def test_record_xml_attribute(record_xml_attribute):
    record_xml_attribute("level", "high")


def test_record_testsuite_property(record_testsuite_property):
    record_testsuite_property("ARCH", "x86")


def test_record_testsuite_property_bad_name(record_testsuite_property):
    record_testsuite_property(1, "x86")


def test_capteesys(capteesys):
    print("teed")
    assert capteesys.readouterr().out == "teed\n"
    print("teed again")
    assert False

"""pytest-httpserver (a server its `pytest_sessionfinish` stops) and pytest-responses
(its `pytest_runtest_setup` mocks `requests` for every unmarked test)."""
import pytest
import requests


@pytest.mark.withoutresponses
def test_server(httpserver):
    httpserver.expect_request("/x").respond_with_json({"a": 1})
    assert requests.get(httpserver.url_for("/x")).json() == {"a": 1}


def test_responses(responses):
    responses.add(responses.GET, "http://example.invalid/y", json={"b": 2})
    assert requests.get("http://example.invalid/y").json() == {"b": 2}


def test_unmocked_url_fails():
    requests.get("http://example.invalid/z")

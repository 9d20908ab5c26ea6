"""pytest-freezer's `freezer` fixture, requested by name: no marker, so the plugin's
collection hook has nothing to do."""
import datetime


def test_frozen(freezer):
    freezer.move_to("2020-02-03 04:05:06")
    assert datetime.datetime.now() == datetime.datetime(2020, 2, 3, 4, 5, 6)
    freezer.tick(10)
    assert datetime.datetime.now().second == 16


def test_running_clock():
    assert datetime.datetime.now().year >= 2026


def test_frozen_fails(freezer):
    freezer.move_to("2021-01-01")
    assert datetime.date.today().year == 2020

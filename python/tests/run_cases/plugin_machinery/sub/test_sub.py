def test_logging_plugin_is_registered(registered):
    assert registered["logging-plugin"]


def test_fails(registered):
    assert registered["no-such-plugin"]

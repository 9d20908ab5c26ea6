import threading


def test_subtests_fixture_in_thread(subtests):
    def runner():
        with subtests.test(msg="in thread"):
            assert 1 == 2

    t = threading.Thread(target=runner)
    t.start()
    t.join()


def test_capsys_disabled_in_thread(capsys):
    errors = []

    def runner():
        try:
            # (Entered only: what a thread writes past the capture may reach the
            # terminal before the coordinator has shown the earlier letters.)
            with capsys.disabled():
                pass
        except BaseException as e:
            errors.append(repr(e))

    t = threading.Thread(target=runner)
    t.start()
    t.join()
    assert errors == []

STATE = []


def setup_module(module):
    print("setup_module", module.__name__)
    STATE.append("module")


def teardown_module(module):
    print("teardown_module", module.__name__)


def setup_function(function):
    print("setup_function", function.__name__)


def teardown_function(function):
    print("teardown_function", function.__name__)


def test_module_state():
    assert STATE == ["module"]


def test_function_fails():
    print("in test_function_fails")
    assert STATE == []


class TestWithMethods:
    @classmethod
    def setup_class(cls):
        print("setup_class", cls.__name__)
        cls.items = ["a"]

    @classmethod
    def teardown_class(cls):
        print("teardown_class", cls.__name__)

    def setup_method(self, method):
        print("setup_method", method.__name__)
        self.local = list(self.items)

    def teardown_method(self, method):
        print("teardown_method", method.__name__)

    def test_items(self):
        assert self.local == ["a"]

    def test_items_fail(self):
        self.local.append("b")
        assert self.local == ["a"]


class TestBrokenSetup:
    def setup_method(self, method):
        raise RuntimeError("setup_method broke")

    def test_never_runs(self):
        pass

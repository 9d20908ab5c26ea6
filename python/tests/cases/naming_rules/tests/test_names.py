def test_plain():
    pass


def testing_prefix_matches_too():
    pass


def tester():
    pass


def parser_should():
    pass


def parser_should_not():
    pass


def it_works():
    pass


def its_not_a_test():
    pass


def Test_capitalised_function():
    pass


class Testament:
    def test_prefix_class(self):
        pass


class TESTUpper:
    def test_not_collected(self):
        pass


class MathSuite:
    def test_in_suite(self):
        pass

    def it_adds(self):
        pass

    def value_should(self):
        pass


class SuiteNotAtEnd:
    def test_x(self):
        pass


class DescribeX:
    def it_describes(self):
        pass


class DescribeXY:
    def it_is_not_collected(self):
        pass


class test_lowercase_class:
    def test_in_lowercase_class(self):
        pass

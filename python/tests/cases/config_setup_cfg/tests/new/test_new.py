def test_stable():
    pass


def test_flaky():
    pass


class ParserTests:
    def test_parse(self):
        pass


class TestLexer:
    def test_lex(self):
        pass


class Helper:
    def test_not_collected(self):
        pass

def not_a_test():
    pass


class Helper:
    def test_not_collected(self):
        pass

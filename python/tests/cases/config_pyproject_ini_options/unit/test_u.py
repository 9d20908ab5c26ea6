class DescribeWidget:
    def test_renders(self):
        pass

    def it_is_not_a_test(self):
        pass


class TestWidget:
    def test_size(self):
        pass

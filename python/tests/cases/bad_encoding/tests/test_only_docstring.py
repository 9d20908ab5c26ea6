"""def test_in_docstring(): pass"""

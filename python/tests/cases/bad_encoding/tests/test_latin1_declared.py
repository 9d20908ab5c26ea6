# -*- coding: latin-1 -*-
import pytest


@pytest.mark.parametrize("s", ["café"])
def test_latin1(s):
    pass

def test_taberror():
	if True:
        pass

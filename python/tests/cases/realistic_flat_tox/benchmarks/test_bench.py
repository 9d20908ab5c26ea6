def test_bench_not_in_testpaths():
    pass

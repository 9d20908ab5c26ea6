def test_cli_models():
    pass

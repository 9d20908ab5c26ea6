def test_sync_under_policy(greeting):
    assert greeting == "hello"

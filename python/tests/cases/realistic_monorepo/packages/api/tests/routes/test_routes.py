def test_versioned(api_version, db):
    pass

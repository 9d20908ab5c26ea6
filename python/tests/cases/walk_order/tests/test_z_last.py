def test_z_last():
    pass

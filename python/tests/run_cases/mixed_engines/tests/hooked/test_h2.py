def test_again(hooked_session, hooked_env, base):
    assert (hooked_session, hooked_env, base) == (1, "test_again", 40)

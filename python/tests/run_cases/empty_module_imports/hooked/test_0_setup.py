import state_hooked

# No test here: pytest imports the module all the same, before the next module's tests.
state_hooked.FLAGS.append("test_0_setup imported")

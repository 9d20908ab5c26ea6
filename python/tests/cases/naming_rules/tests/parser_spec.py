def it_parses():
    pass

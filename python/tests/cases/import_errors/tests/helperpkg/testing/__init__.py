def make_client():
    return "client"

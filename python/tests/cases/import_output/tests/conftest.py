print("conftest imported")

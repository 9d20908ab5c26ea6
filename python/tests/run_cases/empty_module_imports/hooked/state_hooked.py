FLAGS = []

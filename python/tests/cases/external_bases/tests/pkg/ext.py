class Extension:
    name = "base"

    def offer(self):
        return None

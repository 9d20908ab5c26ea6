from pkg import other

setattr(other.plain, "__doc__", ">>> 4\n4\n")

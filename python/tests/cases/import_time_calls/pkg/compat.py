import sys

if sys.version_info[0] < 3:
    text_type = unicode  # noqa: F821
    binary_type = str
else:
    text_type = str
    binary_type = bytes

plain_base = object

"""The package.

>>> import pkg
>>> pkg.VERSION
'1.0'
"""

VERSION = "1.0"

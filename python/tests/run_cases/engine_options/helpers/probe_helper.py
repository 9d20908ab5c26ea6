"""A module `pythonpath` makes importable."""

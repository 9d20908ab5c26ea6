"""A package whose tests live inside it: importing a test module runs this first."""


def _import_OrderedDict():
    # The name says "import"; the body only imports statically.
    import collections

    try:
        return collections.OrderedDict
    except AttributeError:
        from . import ordered_dict

        return ordered_dict.OrderedDict


OrderedDict = _import_OrderedDict()


def main():
    raise SystemExit("run as a script")


if __name__ == "__main__":
    main()

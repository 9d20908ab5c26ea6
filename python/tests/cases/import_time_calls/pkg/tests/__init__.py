import sys


def main():
    raise SystemExit(not run())


if __name__ == "__main__":
    main()

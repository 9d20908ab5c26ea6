"""The ``fastest`` console script: hand argv and the interpreter's facts to the Rust core."""

import os
import sys


def main() -> int:
    from fastest._fastest import main as _main

    version = "%d.%d.%d" % sys.version_info[:3]
    code = _main(
        sys.argv[1:],
        sys.executable,
        version,
        sys.platform,
        [p for p in sys.path if p],
        os.getcwd(),
        sorted(sys.builtin_module_names),
    )
    return code


if __name__ == "__main__":
    sys.exit(main())

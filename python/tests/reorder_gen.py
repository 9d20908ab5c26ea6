"""Generated projects whose items pytest's ``reorder_items`` regroups: parametrized
fixtures of every scope (some autouse), ``parametrize`` marks with ``scope=`` and
``indirect=``, values of mixed types that compare equal or not, classes, two packages.
Each seed gives one project; ``test_oracle_collect`` compares fastest's order with
pytest's on them."""

import random
from pathlib import Path

SCOPES = ["session", "package", "module", "class", "function"]
VALUE_POOLS = [
    ["1", "2"],
    ["'a'", "'b'", "'c'"],
    ["1", "1.0", "True"],
    ["None", "'x'"],
    ["0", "2", "0"],
    ["2.5", "'2.5'"],
    # Tuples compare by value, their numbers too: (1, 'a') == (1.0, 'a').
    ["(1, 'a')", "(1.0, 'a')", "(2, 'b')"],
    ["(True,)", "(1,)", "(None, b'x')"],
]
#: Unhashable values: keyed by their index, which pytest renumbers for direct parameters
#: (those stay pytest's to collect), so only for fixtures' and indirect parameters.
UNHASHABLE_POOLS = [
    ["[1]", "[2]", "[1]"],
    ["{'k': 1}", "{'k': 2}"],
    ["(1, [2])", "(1, [3])"],
]


def _values(rng: random.Random, unhashable: bool = False) -> str:
    pool = rng.choice(VALUE_POOLS + (UNHASHABLE_POOLS if unhashable else []))
    k = rng.randint(1, len(pool))
    return "[" + ", ".join(rng.sample(pool, k)) + "]"


def _fixture(rng: random.Random, name: str, scope: str, params: bool) -> str:
    args = [f"scope={scope!r}"]
    if params:
        args.append(f"params={_values(rng, unhashable=True)}")
    if rng.random() < 0.15:
        args.append("autouse=True")
    # Set-ups and teardowns show under `-s`: a run's comparison sees the engine's
    # caching of each parameter.
    body = (
        f"    p = getattr(request, 'param', None)\n    print('setup {name}', repr(p))\n"
        f"    yield p\n    print('teardown {name}', repr(p))\n"
    )
    return f"@pytest.fixture({', '.join(args)})\ndef {name}(request):\n{body}\n\n"


def _test(rng: random.Random, name: str, fixtures: list, indent: str) -> str:
    lines = []
    args = ["self"] if indent else []
    used = rng.sample(fixtures, rng.randint(0, min(3, len(fixtures))))
    for i in range(rng.randint(0, 2)):
        argname = f"p{i}"
        roll = rng.random()
        if roll < 0.3:
            # Indirect, onto a plain fixture of some scope.
            target = rng.choice(["plain_mod", "plain_cls", "plain_sess"])
            if target in used or any(f"'{target}'" in line for line in lines):
                continue
            lines.append(
                f"{indent}@pytest.mark.parametrize({target!r}, {_values(rng, unhashable=True)}, "
                "indirect=True)"
            )
            args.append(target)
            continue
        scope = rng.choice(SCOPES)
        lines.append(
            f"{indent}@pytest.mark.parametrize({argname!r}, {_values(rng)}, scope={scope!r})"
        )
        args.append(argname)
    args.extend(used)
    lines.append(f"{indent}def {name}({', '.join(args)}):")
    lines.append(f"{indent}    pass")
    return "\n".join(lines) + "\n\n"


def write_project(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    fixtures = []
    conftest = ["import pytest\n\n"]
    for i, scope in enumerate(SCOPES[:-1] * 2):
        if rng.random() < 0.6:
            name = f"{scope[:4]}{i}"
            conftest.append(_fixture(rng, name, scope, params=True))
            fixtures.append(name)
    for name, scope in [("plain_mod", "module"), ("plain_cls", "class"), ("plain_sess", "session")]:
        conftest.append(
            f"@pytest.fixture(scope={scope!r})\ndef {name}(request):\n"
            "    return getattr(request, 'param', None)\n\n\n"
        )
    (root / "conftest.py").write_text("".join(conftest))
    for pkg in ["pkg_a", "pkg_b"]:
        (root / pkg).mkdir()
        (root / pkg / "__init__.py").write_text("")
        for m in range(rng.randint(1, 2)):
            src = ["import pytest\n\n\n"]
            for t in range(rng.randint(2, 4)):
                src.append(_test(rng, f"test_{t}", fixtures, ""))
            if rng.random() < 0.7:
                src.append("class TestK:\n")
                for t in range(rng.randint(2, 3)):
                    src.append(_test(rng, f"test_m{t}", fixtures, "    "))
            (root / pkg / f"test_{pkg}_{m}.py").write_text("".join(src))

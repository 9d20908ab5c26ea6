from pathlib import Path

import pytest


def _show(value, root):
    """Paths relative to the rootdir, so the two runs' output compare."""
    if isinstance(value, (list, tuple)):
        return [_show(v, root) for v in value]
    text = str(value)
    if text.startswith(str(root)):
        return "<root>" + text[len(str(root)):]
    return value


@pytest.fixture
def probe(request, pytestconfig):
    config = request.config
    root = config.rootpath
    lines = []
    for name in (
        "-k", "keyword", "-m", "markexpr", "verbose", "--tb", "tbstyle", "capture",
        "maxfail", "basetemp", "rootdir", "confcutdir", "noconftest", "file_or_dir",
        "usepdb", "showlocals", "--strict-markers", "strict_markers", "color",
        "importmode", "pythonwarnings", "reportchars", "-r", "durations",
        "--durations", "collectonly", "help", "version", "doctestmodules", "runxfail",
        "deselect", "ignore", "assertmode", "log_level", "log_cli_level", "setupshow",
        "no_header", "fold_skipped", "showcapture", "--import-mode",
    ):
        lines.append(f"getoption({name}) = {_show(config.getoption(name), root)!r}")
    for name in ("keyword", "markexpr", "file_or_dir", "durations", "maxfail", "no_summary"):
        lines.append(f"option.{name} = {getattr(config.option, name)!r}")
    for name in (
        "python_files", "log_cli", "log_cli_level", "log_level", "faulthandler_timeout",
        "junit_logging", "xfail_strict", "pythonpath", "console_output_style",
        "tmp_path_retention_count", "log_format", "norecursedirs",
    ):
        lines.append(f"getini({name}) = {_show(config.getini(name), root)!r}")
    session = request.session
    lines.append(f"args = {_show(config.args, root)!r}")
    lines.append(f"args_source = {config.args_source!r}")
    lines.append(f"session.path = {_show(session.path, root)!r}")
    lines.append(f"session.fspath = {_show(session.fspath, root)!r}")
    lines.append(f"session.startdir = {_show(session.startdir, root)!r}")
    lines.append(f"isinitpath(file) = {session.isinitpath(request.path)!r}")
    lines.append(
        f"isinitpath(dir, with_parents) = {session.isinitpath(request.path.parent, with_parents=True)!r}"
    )
    lines.append(f"isinitpath(root, with_parents) = {session.isinitpath(root, with_parents=True)!r}")
    return lines

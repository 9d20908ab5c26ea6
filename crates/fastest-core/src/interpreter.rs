//! The interpreter options fastest's own interpreter was started with (`python -bb -W
//! error -O -X dev -m fastest`): every interpreter fastest starts for the session
//! (workers, the import fallback, a pytest it hands the session to) gets them too, as
//! the tests would see them in `python ... -m pytest`'s one process.

use std::sync::OnceLock;

static FLAGS: OnceLock<Vec<String>> = OnceLock::new();

/// Options that change how the tests run (`sys.flags`, `sys.warnoptions`,
/// `sys._xoptions`), as CPython's `subprocess._args_from_interpreter_flags` spells them.
/// Those that change where modules come from (`-E`, `-I`, `-s`, `-S`, `-P`) or only
/// trace the interpreter (`-v`) are left out: each started interpreter sets its own
/// `sys.path` from the coordinator's.
pub fn set(flags: Vec<String>) {
    let kept = flags
        .into_iter()
        .filter(|f| {
            let moves_path = matches!(f.as_str(), "-E" | "-I" | "-s" | "-S" | "-P");
            let traces = f.starts_with("-v") && f.chars().skip(1).all(|c| c == 'v');
            !moves_path && !traces
        })
        .collect();
    let _ = FLAGS.set(kept);
}

/// The options to put before a started interpreter's own arguments.
pub fn flags() -> &'static [String] {
    FLAGS.get().map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    #[test]
    fn options_that_move_sys_path_or_trace_are_left_out() {
        super::set(
            [
                "-bb", "-E", "-s", "-v", "-vv", "-Werror", "-X", "dev", "-O", "-I", "-S",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(super::flags(), ["-bb", "-Werror", "-X", "dev", "-O"]);
    }
}

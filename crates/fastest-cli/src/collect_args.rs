//! Positional collection arguments as pytest's `Session.perform_collect` treats them:
//! parsing (`resolve_collection_argument`), duplicate and overlap removal
//! (`normalize_collection_arguments`), `::` selector matching (`Session.collect`'s
//! `matchnodes` loop), the `not found` usage errors, and re-basing items that the import
//! fallback collected onto the node ids and chains of the full session.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use fastest_core::discovery::{top_dir, top_dir_name, DiscoveryOptions};
use fastest_core::item::{ChainNode, Item, NodeKind};

use crate::app::normalize;

/// One positional argument: `path[::part...][[param]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectArg {
    /// Absolute, lexically normalised (pytest's `absolutepath`, no symlink resolution).
    pub path: PathBuf,
    /// The `::`-separated names after the path (`Class`, `test_fn`).
    pub parts: Vec<String>,
    /// `[...]` after the last part, brackets included.
    pub parametrization: Option<String>,
}

impl CollectArg {
    /// An argument for a whole directory or file.
    pub fn whole(path: PathBuf) -> CollectArg {
        CollectArg {
            path,
            parts: Vec::new(),
            parametrization: None,
        }
    }

    /// pytest's `resolve_collection_argument`; `Err` is the usage error's message.
    pub fn parse(cwd: &Path, raw: &str) -> Result<CollectArg, String> {
        // The parametrization starts at the first `[`, so `::` inside it is not a separator.
        let (base, parametrization) = match raw.find('[') {
            Some(i) => (&raw[..i], Some(raw[i..].to_string())),
            None => (raw, None),
        };
        let mut split = base.split("::");
        let strpath = split.next().unwrap_or_default();
        let parts: Vec<String> = split.map(str::to_string).collect();
        if parametrization.is_some() && parts.is_empty() {
            return Err(format!("path cannot contain [] parametrization: {raw}"));
        }
        let path = normalize(&cwd.join(strpath));
        // `os.path.exists`: follows symlinks, false on any error.
        let Ok(meta) = std::fs::metadata(&path) else {
            return Err(format!("file or directory not found: {raw}"));
        };
        if !parts.is_empty() && meta.is_dir() {
            return Err(format!(
                "directory argument cannot contain :: selection parts: {raw}"
            ));
        }
        Ok(CollectArg {
            path,
            parts,
            parametrization,
        })
    }

    pub fn has_selector(&self) -> bool {
        !self.parts.is_empty()
    }

    /// The argument as pytest accepts it on a command line (for the fallback worker).
    pub fn spec(&self) -> String {
        let mut s = self.path.to_string_lossy().into_owned();
        for p in &self.parts {
            s.push_str("::");
            s.push_str(p);
        }
        if let Some(p) = &self.parametrization {
            s.push_str(p);
        }
        s
    }

    /// How pytest names the argument in `not found` errors: the path and the parts, without
    /// the parametrization.
    pub fn report_arg(&self) -> String {
        let mut s = self.path.to_string_lossy().into_owned();
        for p in &self.parts {
            s.push_str("::");
            s.push_str(p);
        }
        s
    }

    /// pytest's `is_collection_argument_subsumed_by(self, by)`.
    fn subsumed_by(&self, by: &CollectArg) -> bool {
        if by.path != self.path {
            return by.parts.is_empty() && self.path.starts_with(&by.path);
        }
        if by.parts.len() > self.parts.len() || self.parts[..by.parts.len()] != by.parts[..] {
            return false;
        }
        by.parametrization.is_none() || by.parametrization == self.parametrization
    }

    /// Whether the selector picks `item`, whose file node is `item.chain[file_at]`
    /// (`matchnodes`: every part but the last names a node exactly; the last one matches a
    /// name up to its `[` unless the argument carries a parametrization, which must then
    /// match exactly).
    pub fn selects(&self, item: &Item, file_at: usize) -> bool {
        let Some((last, inner)) = self.parts.split_last() else {
            return true;
        };
        let below = item.chain.get(file_at + 1..).unwrap_or_default();
        if below.len() < self.parts.len() {
            return false;
        }
        if inner.iter().zip(below).any(|(p, n)| *p != n.name) {
            return false;
        }
        let name = &below[inner.len()].name;
        match &self.parametrization {
            Some(param) => name.strip_prefix(last.as_str()) == Some(param.as_str()),
            None => name.split('[').next() == Some(last.as_str()),
        }
    }
}

/// pytest's `normalize_collection_arguments`: drop arguments another one contains (a file
/// inside a directory argument, `f.py::T::t` after `f.py::T`, exact repeats), keeping the
/// order of those that remain.
pub fn normalize_args(args: Vec<CollectArg>) -> Vec<CollectArg> {
    let key_cmp = |a: &CollectArg, b: &CollectArg| -> Ordering {
        // Python compares the paths by their parts, then the parts, then the
        // parametrization ("" when absent).
        a.path
            .cmp(&b.path)
            .then_with(|| a.parts.cmp(&b.parts))
            .then_with(|| {
                a.parametrization
                    .as_deref()
                    .unwrap_or("")
                    .cmp(b.parametrization.as_deref().unwrap_or(""))
            })
    };
    let mut order: Vec<usize> = (0..args.len()).collect();
    // Stable, like Python's sort: equal arguments keep their original order.
    order.sort_by(|&i, &j| key_cmp(&args[i], &args[j]));
    let mut keep: Vec<usize> = Vec::with_capacity(args.len());
    let mut last: Option<usize> = None;
    for i in order {
        if last.is_none_or(|l| !args[i].subsumed_by(&args[l])) {
            keep.push(i);
            last = Some(i);
        }
    }
    keep.sort_unstable();
    let keep: HashSet<usize> = keep.into_iter().collect();
    args.into_iter()
        .enumerate()
        .filter_map(|(i, a)| keep.contains(&i).then_some(a))
        .collect()
}

/// The `not found` message for a file argument that no collector took (a `.md` file
/// without a matching `--doctest-glob`): pytest found no node for it among the children
/// of its directory's node, or, when the file is itself the top of its chain, of the
/// session.
pub fn no_collector_message(opts: &DiscoveryOptions, arg: &CollectArg) -> String {
    let top = top_dir(opts, &arg.path);
    let collector = if top == arg.path.as_path() {
        // The session's repr, as it stands while collecting.
        "<Session  exitstatus=<ExitCode.OK: 0> testsfailed=0 testscollected=0>".to_string()
    } else {
        let parent = arg.path.parent().unwrap_or(top);
        let kind = if parent.join("__init__.py").is_file() {
            NodeKind::Package
        } else {
            NodeKind::Dir
        };
        let name = if parent == top {
            top_dir_name(opts, top)
        } else {
            parent
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        format!("<{} {name}>", kind.as_str())
    };
    format!(
        "not found: {}\n(no match in any of [{collector}])",
        arg.report_arg()
    )
}

/// Split what pytest printed for a usage error into its messages, if every one is about
/// an argument that matched nothing (`not found: …` / `found no collectors for …`).
pub fn parse_not_found(stderr: &str) -> Option<Vec<String>> {
    let mut msgs = Vec::new();
    for block in stderr.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let msg = block.trim_start_matches('\n').strip_prefix("ERROR: ")?;
        if !(msg.starts_with("not found: ") || msg.starts_with("found no collectors for ")) {
            return None;
        }
        msgs.push(msg.to_string());
    }
    (!msgs.is_empty()).then_some(msgs)
}

/// The argument a `not found` message is about (`report_arg`).
pub fn message_arg(msg: &str) -> &str {
    let first = msg.lines().next().unwrap_or_default();
    first
        .strip_prefix("not found: ")
        .or_else(|| first.strip_prefix("found no collectors for "))
        .unwrap_or(first)
}

/// Where items the import fallback collected belong: the fallback runs pytest on the
/// uncertain files alone, so its top-of-chain nodes can differ from the full session's.
/// Each requested file is known by the names of its chain down to the file node, as the
/// worker's session builds it.
pub struct FallbackFiles<'a> {
    opts: &'a DiscoveryOptions,
    by_key: HashMap<Vec<String>, PathBuf>,
}

impl<'a> FallbackFiles<'a> {
    pub fn new(opts: &'a DiscoveryOptions) -> Self {
        FallbackFiles {
            opts,
            by_key: HashMap::new(),
        }
    }

    /// Register a file the worker collects because it was given `requested` (the file
    /// itself, or the argument containing it).
    pub fn add(&mut self, path: &Path, requested: &Path) {
        self.by_key
            .insert(self.worker_key(path, requested), path.to_path_buf());
    }

    /// The names of the worker's chain from its top node down to `path`'s file node.
    fn worker_key(&self, path: &Path, requested: &Path) -> Vec<String> {
        let top = top_dir(self.opts, requested);
        let mut key = vec![top_dir_name(self.opts, top)];
        if let Ok(rel) = path.strip_prefix(top) {
            key.extend(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned()),
            );
        }
        key
    }

    /// The file a worker item belongs to, and the index of its file node in its chain.
    pub fn file_of(&self, item: &Item) -> Option<(&Path, usize)> {
        let at = item
            .chain
            .iter()
            .position(|n| !matches!(n.kind, NodeKind::Dir | NodeKind::Package))?;
        let key: Vec<String> = item.chain[..=at].iter().map(|n| n.name.clone()).collect();
        self.by_key.get(&key).map(|p| (p.as_path(), at))
    }

    /// The file's node id in the worker's session, which was given `requested`:
    /// rootdir-relative, else relative to `requested`.
    pub fn worker_nodeid(&self, path: &Path, requested: &Path) -> String {
        let rel = path
            .strip_prefix(&self.opts.rootdir)
            .or_else(|_| path.strip_prefix(requested));
        rel.map(|rel| {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
    }
}

/// `item` (collected by the worker, file node at `file_at`, file node id `worker_nodeid`)
/// placed under the full session's chain and node id of its file.
pub fn rebase_item(
    item: &Item,
    file_at: usize,
    worker_nodeid: &str,
    dir_chain: &[ChainNode],
    file_name: &str,
    file_nodeid: &str,
) -> Item {
    let mut chain = Vec::with_capacity(dir_chain.len() + item.chain.len() - file_at);
    chain.extend_from_slice(dir_chain);
    let mut tail = item.chain[file_at..].iter();
    if let Some(file_node) = tail.next() {
        chain.push(ChainNode {
            name: file_name.to_string(),
            ..file_node.clone()
        });
    }
    chain.extend(tail.cloned());
    let nodeid = match item.nodeid.strip_prefix(worker_nodeid) {
        Some(rest) if rest.is_empty() || rest.starts_with("::") => format!("{file_nodeid}{rest}"),
        _ => item.nodeid.clone(),
    };
    Item {
        nodeid,
        chain,
        ..item.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(path: &str, parts: &[&str], param: Option<&str>) -> CollectArg {
        CollectArg {
            path: PathBuf::from(path),
            parts: parts.iter().map(|s| s.to_string()).collect(),
            parametrization: param.map(str::to_string),
        }
    }

    fn item(names: &[&str]) -> Item {
        Item {
            nodeid: String::new(),
            chain: names
                .iter()
                .map(|n| ChainNode::new(NodeKind::Function, *n))
                .collect(),
            lineno: None,
            marks: Vec::new(),
            extra_keywords: Vec::new(),
            run: None,
        }
    }

    #[test]
    fn normalize_drops_contained_arguments_and_keeps_order() {
        let args = vec![
            arg("/r/t/test_a.py", &["test_one"], None),
            arg("/r/t/test_b.py", &[], None),
            arg("/r/t", &[], None),
            arg("/r/t", &[], None),
            arg("/r/u/x.py", &["T"], None),
            arg("/r/u/x.py", &["T", "t"], None),
            arg("/r/u/x.py", &["f"], Some("[1]")),
            arg("/r/u/x.py", &["f"], Some("[2]")),
        ];
        let got = normalize_args(args);
        assert_eq!(
            got,
            vec![
                arg("/r/t", &[], None),
                arg("/r/u/x.py", &["T"], None),
                arg("/r/u/x.py", &["f"], Some("[1]")),
                arg("/r/u/x.py", &["f"], Some("[2]")),
            ]
        );
    }

    #[test]
    fn normalize_keeps_parametrized_only_under_parametrized() {
        let got = normalize_args(vec![
            arg("/r/x.py", &["f"], Some("[1]")),
            arg("/r/x.py", &["f"], None),
        ]);
        assert_eq!(got, vec![arg("/r/x.py", &["f"], None)]);
    }

    #[test]
    fn selectors_match_like_matchnodes() {
        let it = item(&["d", "x.py", "TestA", "test_m[a::b]"]);
        assert!(arg("/x.py", &["TestA"], None).selects(&it, 1));
        assert!(arg("/x.py", &["TestA", "test_m"], None).selects(&it, 1));
        assert!(arg("/x.py", &["TestA", "test_m"], Some("[a::b]")).selects(&it, 1));
        assert!(!arg("/x.py", &["TestA", "test_m"], Some("[a]")).selects(&it, 1));
        assert!(!arg("/x.py", &["TestA", "test"], None).selects(&it, 1));
        assert!(!arg("/x.py", &["Test"], None).selects(&it, 1));
        assert!(!arg("/x.py", &["TestA", "test_m", "deeper"], None).selects(&it, 1));
        assert!(arg("/x.py", &[], None).selects(&it, 1));
    }

    #[test]
    fn parse_splits_parametrization_before_selectors() {
        let cwd = std::env::temp_dir();
        let dir = tempfile::tempdir_in(&cwd).expect("tempdir");
        let file = dir.path().join("test_p.py");
        std::fs::write(&file, "").expect("write");
        let raw = format!("{}::T::test_x[p::q]", file.display());
        let a = CollectArg::parse(&cwd, &raw).expect("parses");
        assert_eq!(a.parts, vec!["T".to_string(), "test_x".to_string()]);
        assert_eq!(a.parametrization.as_deref(), Some("[p::q]"));
        assert_eq!(a.spec(), raw);
        assert_eq!(a.report_arg(), format!("{}::T::test_x", file.display()));
        let e =
            CollectArg::parse(&cwd, &format!("{}[x]", file.display())).expect_err("usage error");
        assert!(e.starts_with("path cannot contain [] parametrization: "));
        let e = CollectArg::parse(&cwd, &format!("{}::x", dir.path().display()))
            .expect_err("usage error");
        assert!(e.starts_with("directory argument cannot contain :: selection parts: "));
        let e = CollectArg::parse(&cwd, "no/such/file.py").expect_err("usage error");
        assert_eq!(e, "file or directory not found: no/such/file.py");
    }

    #[test]
    fn not_found_messages_parse_back() {
        let text = "ERROR: not found: /a/b.py::x\n(no match in any of [<Module b.py>])\n\nERROR: found no collectors for /a/c.py::y\n\n";
        let msgs = parse_not_found(text).expect("not-found messages");
        assert_eq!(msgs.len(), 2);
        assert_eq!(message_arg(&msgs[0]), "/a/b.py::x");
        assert_eq!(message_arg(&msgs[1]), "/a/c.py::y");
        assert!(parse_not_found("ERROR: file or directory not found: x\n\n").is_none());
    }
}

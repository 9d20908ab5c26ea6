//! The worker protocol: one JSON document per line, over a Unix socket the coordinator
//! listens on (its path is the worker's first argument).
//!
//! Coordinator to worker: a [`ToWorker::Setup`] first, then [`ToWorker::Run`] batches, then
//! [`ToWorker::Done`]. A batch's last item learns its successor (pytest's `nextitem`,
//! which decides which fixtures are torn down) from the next message: the next batch's
//! first item, or none once `Done` arrives. The worker runs that item's setup and call
//! first and asks ([`FromWorker::Next`]) only when its teardown needs the answer, so the
//! coordinator hands out work at the last moment (a slow one-test group does not hold
//! the group after it).
//!
//! Worker to coordinator: [`FromWorker::Started`] before an item runs, its phase reports
//! in [`FromWorker::Reports`], and [`FromWorker::Finished`] once the session's fixtures
//! are torn down.

use fastest_core::item::{CallParam, Item, NodeKind};
pub use fastest_core::report::{HeaderLines, Interruption};
use fastest_core::report::{TestReport, WarningReport};
use serde::{Deserialize, Serialize};

/// One parametrization of an item as the engine reads it: source (`mark` or
/// `fixture`), key (mark index or fixture name), set index, the set's values' repr.
pub type CallEntry = (String, serde_json::Value, u32, Option<String>);

/// What the engine needs to know about one item to import, bind and run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSpec {
    pub nodeid: String,
    /// The item's name (with its `[id]`).
    pub name: String,
    /// The function's name in its module or class.
    pub function: String,
    /// Absolute path of the module.
    pub path: String,
    /// The collectors above the item: `(kind, key, name)`, outermost first; the key is
    /// unique per node (its node id).
    pub chain: Vec<(String, String, String)>,
    /// `("mark", k, set, values)` or `("fixture", name, set, null)` per
    /// parametrization (`values`: see [`fastest_core::item::CallParam::Mark`]).
    pub callspec: Vec<CallEntry>,
    /// Seconds the item may run before its worker is killed (`--timeout`, the
    /// `timeout` ini or mark); the coordinator's business, the engine ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// Marks a conftest's `pytest_collection_modifyitems` added (JSON texts of
    /// `[position, mark]`, see [`fastest_core::item::RunSpec::added_marks`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_marks: Vec<String>,
    /// A module with no item that pytest's collection imports: the engines import it
    /// before the first test (and report a failure as a failed import), nothing more.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub import_only: bool,
    /// `Some("pytest")`: the pytest engine runs this item in a worker whose other
    /// items the native engine runs (`run::Engines::modules`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The native engine runs the item and it shares no state with the rest of its
    /// module ([`fastest_core::item::RunSpec::isolated`]): the scheduler may give pieces
    /// of its module to different workers. The coordinator's business only.
    #[serde(skip)]
    pub isolated: bool,
}

impl ItemSpec {
    /// The spec of an item discovery proved (`item.run` set), at `path`.
    pub fn from_item(item: &Item, path: &std::path::Path) -> Option<Self> {
        let run = item.run.as_ref()?;
        let callspec = run
            .callspec
            .iter()
            .map(|c| match c {
                CallParam::Mark { mark, set, values } => {
                    ("mark".to_string(), (*mark).into(), *set, values.clone())
                }
                CallParam::Fixture { name, set } => {
                    ("fixture".to_string(), name.clone().into(), *set, None)
                }
            })
            .collect();
        let mut spec = Self::with_callspec(item, path, callspec);
        spec.added_marks.clone_from(&run.added_marks);
        spec.isolated = run.isolated;
        Some(spec)
    }

    /// The spec of any item for the pytest engine, which finds the item in pytest's
    /// own collection by its node id and path (no run spec needed).
    pub fn for_pytest(item: &Item, path: &std::path::Path) -> Self {
        Self::with_callspec(item, path, Vec::new())
    }

    fn with_callspec(item: &Item, path: &std::path::Path, callspec: Vec<CallEntry>) -> Self {
        // Keys: `Dir:` + the directory path for directories and packages; the node id
        // for modules (also doctest modules and text files) and classes (fixtures defined there find their node by it).
        let mut chain = Vec::with_capacity(item.chain.len());
        let mut dirs = String::new();
        let mut key = String::new();
        let n = item.chain.len().saturating_sub(1);
        for node in &item.chain[..n] {
            let kind = node.kind.as_str();
            let node_key = match node.kind {
                NodeKind::Dir | NodeKind::Package => {
                    if !dirs.is_empty() {
                        dirs.push('/');
                    }
                    dirs.push_str(&node.name);
                    format!("{kind}:{dirs}")
                }
                // A file collected both as a test module and for its doctests has two
                // collectors with one node id (the engine tells them apart by kind).
                NodeKind::Module | NodeKind::DoctestModule | NodeKind::DoctestTextfile => {
                    key = item.file_part().to_string();
                    key.clone()
                }
                _ => {
                    key.push_str("::");
                    key.push_str(&node.name);
                    key.clone()
                }
            };
            chain.push((kind.to_string(), node_key, node.name.clone()));
        }
        let name = item.name().to_string();
        let function = name.split('[').next().unwrap_or(&name).to_string();
        ItemSpec {
            nodeid: item.nodeid.clone(),
            name,
            function,
            path: path.display().to_string(),
            chain,
            callspec,
            timeout: None,
            added_marks: Vec::new(),
            import_only: false,
            engine: None,
            isolated: false,
        }
    }
}

/// Coordinator to worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToWorker {
    /// The session's settings (see `python/fastest/_engine.py`, `Engine.__init__`).
    Setup(serde_json::Value),
    Run(Vec<ItemSpec>),
    /// Go ahead after a `Sync`, a `Flush` or a `Header` (the last only when the setup asks
    /// for `sync`: with capture off, the test's own output must follow the progress
    /// text the coordinator printed before it).
    Ack,
    Done,
    /// Before the setup, while the coordinator still waits for pytest's collection of
    /// some files: rewrite these test modules' assertions into the places the imports
    /// will read them from (`fastest._pyc.warm`; nothing is imported or run).
    Warm(serde_json::Value),
}

/// Worker to coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FromWorker {
    Started(String),
    Reports(Vec<TestReport>),
    /// The pytest engine's header lines from plugins and conftests (sent once, before
    /// anything else, by a worker running the pytest engine).
    Header(HeaderLines),
    /// The worker reached the teardown of the last item it holds and needs its
    /// successor: the coordinator answers with the next batch or `Done`.
    Next,
    /// The session's test modules are imported (sent after the setup when the setup
    /// asks for `imports_event`): the node ids of the items whose module failed to
    /// import. With `wait` the worker waits for an `Ack` before it runs anything (the
    /// coordinator may instead stop it, to have those modules collected by pytest).
    Imported {
        failed: Vec<String>,
        wait: bool,
    },
    /// The engine could not run an item at all (a bug or an unsupported case): the text.
    Internal(String),
    /// The test is about to write to the terminal itself (`capsys.disabled()`): the
    /// coordinator answers `Ack` once everything before it is on the terminal.
    Flush,
    /// With capture off: the coordinator answers `Ack` once it has shown everything
    /// sent before (sent after a `Started` or a report the terminal draws something
    /// for, so that the test's own output follows it; see `worker::Inbox::sync`).
    Sync,
    /// A `KeyboardInterrupt` (Ctrl-C, or raised by a test) or `pytest.exit` ended the
    /// session; the worker tore everything down and exits.
    Interrupted(Interruption),
    /// Warnings no report carried (sent before `Finished`): those importing the
    /// modules of items that were never run raised.
    Warnings(Vec<WarningReport>),
    /// What the session's end raised (`Event::SessionEndError`), sent before `Finished`.
    SessionEndError(String),
    /// What plugins wrote at the session's terminal summary (`Event::PluginSummary`),
    /// sent before `Finished`.
    PluginSummary(String),
    Finished,
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastest_core::item::{ChainNode, RunSpec};

    #[test]
    fn specs_name_their_collectors_by_node_id() {
        let item = Item {
            nodeid: "tests/test_a.py::TestK::test_m[1]".into(),
            chain: vec![
                ChainNode::new(NodeKind::Dir, "proj"),
                ChainNode::new(NodeKind::Dir, "tests"),
                ChainNode::new(NodeKind::Module, "test_a.py"),
                ChainNode::new(NodeKind::Class, "TestK"),
                ChainNode::new(NodeKind::Function, "test_m[1]"),
            ],
            lineno: None,
            marks: vec![],
            extra_keywords: vec![],
            run: Some(RunSpec {
                callspec: vec![CallParam::Mark {
                    mark: 0,
                    set: 1,
                    values: None,
                }],
                external_fixtures: vec![],
                fixtures: vec![],
                pytest_machinery: None,
                added_marks: Vec::new(),
                isolated: false,
                scoped_params: Vec::new(),
            }),
        };
        let spec = ItemSpec::from_item(&item, std::path::Path::new("/p/tests/test_a.py"))
            .expect("a proved item has a spec");
        assert_eq!(spec.function, "test_m");
        let keys: Vec<&str> = spec.chain.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(
            keys,
            [
                "Dir:proj",
                "Dir:proj/tests",
                "tests/test_a.py",
                "tests/test_a.py::TestK"
            ]
        );
        let line = serde_json::to_string(&ToWorker::Run(vec![spec])).expect("serializable");
        assert!(line.starts_with("{\"run\":[{"), "{line}");
    }

    #[test]
    fn doctest_collectors_are_keyed_by_their_file_node_id() {
        let item = Item {
            nodeid: "pkg/mod.py::pkg.mod.K.f".into(),
            chain: vec![
                ChainNode::new(NodeKind::Dir, "proj"),
                ChainNode::new(NodeKind::Package, "pkg"),
                ChainNode::new(NodeKind::DoctestModule, "mod.py"),
                ChainNode::new(NodeKind::DoctestItem, "pkg.mod.K.f"),
            ],
            lineno: None,
            marks: vec![],
            extra_keywords: vec![],
            run: Some(RunSpec::default()),
        };
        let spec = ItemSpec::from_item(&item, std::path::Path::new("/p/pkg/mod.py"))
            .expect("a proved item has a spec");
        assert_eq!(spec.name, "pkg.mod.K.f");
        assert_eq!(
            spec.chain.last(),
            Some(&(
                "DoctestModule".to_string(),
                "pkg/mod.py".to_string(),
                "mod.py".to_string()
            ))
        );
    }
}

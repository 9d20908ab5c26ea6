//! The item model: what a collected test is, named with pytest's nouns.
//!
//! An [`Item`] carries everything later stages need without reaching back into discovery:
//! its node id, the chain of collectors above it (for the `--collect-only` tree and for `-k`
//! matching), its marks (for `-m`) and extra keywords.

use serde::{Deserialize, Serialize};

/// The kind of a collector or item node, spelled as pytest's class names so the
/// `--collect-only` tree prints them verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    Dir,
    Package,
    Module,
    Class,
    Function,
    UnitTestCase,
    TestCaseFunction,
    DoctestModule,
    DoctestTextfile,
    DoctestItem,
    /// A collector or item type that only the import fallback saw (a plugin's node type).
    Other,
}

impl NodeKind {
    /// pytest's class name for this node kind.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Dir => "Dir",
            NodeKind::Package => "Package",
            NodeKind::Module => "Module",
            NodeKind::Class => "Class",
            NodeKind::Function => "Function",
            NodeKind::UnitTestCase => "UnitTestCase",
            NodeKind::TestCaseFunction => "TestCaseFunction",
            NodeKind::DoctestModule => "DoctestModule",
            NodeKind::DoctestTextfile => "DoctestTextfile",
            NodeKind::DoctestItem => "DoctestItem",
            NodeKind::Other => "Node",
        }
    }
}

/// One node in the chain from the top directory down to an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChainNode {
    pub kind: NodeKind,
    /// The display type name when it is not one of [`NodeKind`]'s (plugin node types).
    pub type_name: Option<String>,
    /// The node's `name` (a file's basename, a class or function name with `[id]`).
    pub name: String,
}

impl ChainNode {
    pub fn new(kind: NodeKind, name: impl Into<String>) -> Self {
        Self {
            kind,
            type_name: None,
            name: name.into(),
        }
    }

    /// The type name printed in the `--collect-only` tree.
    pub fn type_str(&self) -> &str {
        self.type_name.as_deref().unwrap_or(self.kind.as_str())
    }
}

/// A value in a mark's keyword arguments, as far as `-m "name(key=value)"` can compare it.
// Externally tagged (serde's default): the discovery cache's binary format needs a tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MarkValue {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Anything `-m` can never equal (floats, objects, ...); kept so the key is known.
    Opaque,
}

/// A mark applied to an item (directly, through its class, module or a `pytest.param`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub name: String,
    pub kwargs: Vec<(String, MarkValue)>,
}

/// A collected test item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The rootdir-relative node id, e.g. `tests/test_a.py::TestK::test_m[1-x]`.
    pub nodeid: String,
    /// Collectors from the top `Dir` down to and including the item itself.
    pub chain: Vec<ChainNode>,
    /// 1-based line of the definition, when known.
    pub lineno: Option<u32>,
    /// Marks in `iter_markers()` order (nearest first).
    pub marks: Vec<Mark>,
    /// Extra `-k` keywords beyond the chain names and mark names (the parametrize id,
    /// names from a function's `__dict__`).
    pub extra_keywords: Vec<String>,
    /// What the native engine needs to run the item; `None` when discovery cannot say
    /// (items from the import fallback, unittest methods).
    pub run: Option<RunSpec>,
}

/// How the native engine runs an item that discovery proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RunSpec {
    /// The item's parameter set in each parametrization, in pytest's product order.
    pub callspec: Vec<CallParam>,
    /// Fixtures the item's closure requests that no conftest, module or class above it
    /// defines: pytest's builtins, a plugin's, or missing.
    pub external_fixtures: Vec<String>,
    /// Every name in the item's fixture closure (pytest's `fixturenames`, its
    /// parameters' names among them): which fixtures it may set up.
    #[serde(default)]
    pub fixtures: Vec<String>,
    /// The module uses pytest's plugin machinery (`parse::pytest_machinery_use`): the
    /// pytest engine runs the item.
    pub pytest_machinery: Option<String>,
    /// Marks a conftest's `pytest_collection_modifyitems` added to the item, as the import
    /// fallback saw them: each the JSON text of `[position, mark]` (position 0 before the
    /// item's own marks, 1 after; the mark's arguments tagged, see `fastest._collect`).
    pub added_marks: Vec<String>,
    /// The item shares no state with the other items of its module beyond what each
    /// worker holds anyway: no fixture of class or module scope (or of a scope the source
    /// does not give) in its closure, none of a plugin whose scope is not known, and no
    /// xunit setup of its module or classes (`setup_module`, `setup_class`,
    /// `setUpClass`...). A module whose items all are may be run in pieces by several
    /// workers (`fastest_core::schedule::split_long_groups`). `false` when not known.
    #[serde(default)]
    pub isolated: bool,
    /// The item's parameters of a scope above function, in `callspec` order: what
    /// pytest's `reorder_items` groups the session's items by (`discovery::reorder`).
    #[serde(default)]
    pub scoped_params: Vec<ScopedParam>,
}

/// A parameter of class, module, package or session scope (pytest's `_arg2scope`): a
/// fixture's `params`, or a `parametrize` mark with `scope=` or all of whose names
/// are fixtures parametrized `indirect`ly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScopedParam {
    pub argname: String,
    pub scope: ParamScope,
    /// What pytest's `ParamValueKey` compares: the value's type and its `repr`, for the
    /// hashable literals discovery proves (others make the file uncertain).
    pub value: String,
}

/// The scopes above function, narrowest first (pytest's `HIGH_SCOPES` reversed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ParamScope {
    Class,
    Module,
    Package,
    Session,
}

impl ParamScope {
    /// pytest's scope names: `Some(None)` for function, `None` for a name pytest
    /// rejects.
    pub fn from_name(name: &str) -> Option<Option<Self>> {
        match name {
            "function" => Some(None),
            "class" => Some(Some(Self::Class)),
            "module" => Some(Some(Self::Module)),
            "package" => Some(Some(Self::Package)),
            "session" => Some(Some(Self::Session)),
            _ => None,
        }
    }
}

/// One parametrization's choice for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallParam {
    /// The `set`-th argvalue of the `mark`-th `parametrize` mark in `iter_markers` order.
    /// `values`: the repr of that set's values when the import fallback saw only
    /// literals (str, numbers, None, bytes and tuples of them): argvalues iterated from a
    /// `set` are ordered by the process's string hashes, so the engine finds the set by
    /// its values, not its position, when the two disagree.
    Mark {
        mark: u32,
        set: u32,
        values: Option<String>,
    },
    /// The `set`-th of a parametrized fixture's `params`.
    Fixture { name: String, set: u32 },
}

impl Item {
    /// The item's own name (last chain node), e.g. `test_p[1]`.
    pub fn name(&self) -> &str {
        self.chain.last().map_or("", |n| n.name.as_str())
    }

    /// The file part of the node id (everything before the first `::`).
    pub fn file_part(&self) -> &str {
        self.nodeid.split("::").next().unwrap_or(&self.nodeid)
    }
}

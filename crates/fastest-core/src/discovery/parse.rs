//! tree-sitter parsing: one Python file's source → its [`Outline`], the facts collection
//! needs (bindings in first-binding order, decorators decoded into marks, fixtures and
//! parametrize sets, conftest contents), and the reasons, if any, why the source alone
//! cannot prove what pytest would collect from it.
//!
//! The parser never guesses: anything it cannot read exactly becomes an `Unknown` variant
//! or an `uncertain` reason, and the file falls back to import-based collection.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Parser};

use super::params::{ExplicitId, OpaqueKey, Origin, ParamSet, PyValue};
use super::skim;
use super::syntax::{
    self, field, Implementation, ImportRef, MarkAliases, Platform, PyVersion, Target,
};
use crate::item::{Mark, MarkValue, ParamScope};

/// What a module or class body binds under one name.
#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    /// 1-based line of the (last) definition.
    pub line: u32,
    pub kind: BindingKind,
}

#[derive(Debug, Clone)]
pub enum BindingKind {
    Function(Func),
    Class(Box<Class>),
    /// `name = lambda ...`: pytest collects it like a function.
    Lambda,
    /// Any other assignment; `maybe_callable` unless the value is a literal (a literal
    /// bound to a test-like name is silently not collected by pytest).
    Value {
        maybe_callable: bool,
    },
    /// Bound by an import: `from m import name`, `import name`.
    Import {
        module: String,
        /// The imported name (`from m import name as alias` → `name`; `import a.b` → `a.b`).
        name: String,
        /// `import a.b [as c]`: the name holds a module, never a test.
        plain: bool,
    },
}

/// A decorator or `pytestmark` entry, decoded.
#[derive(Debug, Clone)]
pub enum MarkDecl {
    Parametrize(Parametrize),
    /// `usefixtures` keeps its argument names for the fixture closure.
    Mark(Mark, Vec<String>),
    /// A `pytest.mark.*` whose arguments the parser could not read (reason).
    Unknown(String),
}

/// One `@pytest.mark.parametrize(...)` call.
#[derive(Debug, Clone)]
pub struct Parametrize {
    pub argnames: Vec<String>,
    pub sets: Vec<ParamSet>,
    /// `scope=`: `None` when not given, `Some(Err(reason))` when the source does not
    /// settle it; `Some(Ok(None))` is function scope.
    pub scope: Option<Result<Option<ParamScope>, String>>,
    /// `indirect=`, as pytest reads it.
    pub indirect: Indirect,
}

/// A `parametrize` mark's `indirect=` as pytest reads it: its truth decides whether its
/// names are direct arguments (`_get_direct_parametrize_args`: a non-empty list makes
/// every name of the mark indirect); its length whether all are fixtures
/// (`_infer_parametrize_scope`).
#[derive(Debug, Clone, PartialEq)]
pub enum Indirect {
    /// Absent, `False`, `None` or empty.
    No,
    /// Truthy, and `True` or as long as the argnames: the mark's scope is its fixtures'.
    All,
    /// A list naming fewer names than the mark has: function scope.
    Partly,
    /// Not a literal.
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct Decorators {
    pub marks: Vec<MarkDecl>,
    pub fixture: Option<Fixture>,
    pub staticmethod: bool,
    pub classmethod: bool,
    /// Decorators that are not pytest's (their effect is not provable).
    pub unknown: Vec<String>,
    /// Some unknown decorator comes from outside `unittest`/`mock`: it may replace the
    /// function, change its signature or apply marks, so the items are not provable.
    pub opaque: bool,
}

/// A `@pytest.fixture` definition.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub autouse: bool,
    /// `Some(scope)` when given as a literal; `None` means function.
    pub scope: Option<String>,
    /// `Ok(None)`: not parametrized; `Err(reason)`: params the parser cannot read.
    pub params: Result<Option<Vec<ParamSet>>, String>,
    /// The fixture function's own argument names (its dependencies).
    pub argnames: Vec<String>,
    /// Decoding problems with the decorator itself (reason).
    pub unknown: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Func {
    pub is_async: bool,
    pub is_generator: bool,
    /// Positional-or-keyword and keyword-only parameters without defaults.
    pub argnames: Vec<String>,
    pub decorators: Decorators,
}

#[derive(Debug, Clone)]
pub enum Base {
    /// A class defined earlier in the same module.
    Local(String),
    /// `unittest.TestCase` (or `IsolatedAsyncioTestCase`) under any alias.
    UnitTest,
    Object,
    /// A builtin class other than `object` (`dict`, `Exception`, ...), not rebound in the
    /// module: never a `TestCase`, but its own `__init__`/`__new__` keep pytest from
    /// collecting a test class built on it.
    Builtin(String),
    /// A base the parser cannot resolve (imported or computed), with its text.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct Class {
    pub bases: Vec<Base>,
    /// Keyword arguments in the class statement (`metaclass=...`).
    pub has_class_kwargs: bool,
    pub decorators: Decorators,
    pub body: Vec<Binding>,
    pub pytestmark: Vec<MarkDecl>,
    /// `__init__` or `__new__` defined in the body.
    pub has_init: bool,
    /// `__test__` set in the body: `Some(Ok(bool))` literal, `Some(Err(()))` otherwise.
    pub test_attr: Option<Result<bool, ()>>,
    pub fixtures: Vec<Fixture>,
    pub uncertain: Vec<String>,
}

/// Hooks pytest calls outside every test phase's capture, where what they write lands
/// among its report (before the header, after the progress, after the final line, or
/// around the reporter's own `pytest_runtest_logstart`/`logfinish`, on the side pluggy's
/// order puts each conftest).
pub const SESSION_OUTPUT_HOOKS: &[&str] = &[
    "pytest_sessionstart",
    "pytest_sessionfinish",
    "pytest_unconfigure",
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
];

/// Hooks pytest calls before it collects, whose changes to its options decide what the
/// session selects and how it reports ([`Outline::sets_options`]).
const EARLY_HOOKS: &[&str] = &[
    "pytest_configure",
    "pytest_cmdline_main",
    "pytest_load_initial_conftests",
    "pytest_sessionstart",
];

/// Hooks pytest-xdist's controller calls too (its own session, with the initial
/// conftests registered and no `workerinput`): a conftest that tells the controller
/// from a worker in them does work fastest's coordinator, which runs no hook, would not.
pub const CONTROLLER_HOOKS: &[&str] = &[
    "pytest_configure",
    "pytest_sessionstart",
    "pytest_runtest_logstart",
    "pytest_runtest_logreport",
    "pytest_runtest_logfinish",
    "pytest_sessionfinish",
    "pytest_unconfigure",
];

/// A hook whose body is elsewhere (imported, or assigned from another name): one that
/// pytest calls outside the phases is assumed to write (`output_hooks`).
fn imported_hook(out: &mut Outline, name: &str) {
    if name == "pytest_plugins" || out.hooks.iter().any(|h| h == name) {
        return;
    }
    out.hooks.push(name.to_string());
    if SESSION_OUTPUT_HOOKS.contains(&name) {
        out.output_hooks.push(name.to_string());
    }
}

/// Whether the source tells pytest-xdist's controller from its workers (a byte scan:
/// the check may sit in a helper the hook calls): `workerinput`/`workeroutput`,
/// `PYTEST_XDIST_WORKER`, or pytest-xdist's `is_xdist_worker`-style helpers.
fn xdist_roles_named(src: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"workerinput",
        b"workeroutput",
        b"PYTEST_XDIST_WORKER",
        b"is_xdist_",
        b"get_xdist_worker_id",
    ];
    NAMES
        .iter()
        .any(|name| src.windows(name.len()).any(|w| w == *name))
}

/// Everything collection needs from one file.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub bindings: Vec<Binding>,
    pub fixtures: Vec<Fixture>,
    pub pytestmark: Vec<MarkDecl>,
    /// Module-level `__test__`: `Some(Ok(b))` literal, `Some(Err(()))` computed.
    pub test_attr: Option<Result<bool, ()>>,
    /// `pytest_*` functions defined at module level (hooks, in a conftest).
    pub hooks: Vec<String>,
    /// Those of `hooks` that run around the session in pytest's own process
    /// (`SESSION_OUTPUT_HOOKS`) and may write to the terminal or set the session's exit
    /// status: pytest places what they write among its report and exits with what they
    /// set, which a worker's run of them cannot.
    pub output_hooks: Vec<String>,
    /// The [`CONTROLLER_HOOKS`] defined by a module that tells pytest-xdist's controller
    /// from its workers (`xdist_roles_named`).
    pub controller_hooks: Vec<String>,
    /// A `warnings.warn` the module runs at import (`` `warnings.warn` at import time
    /// (line N) ``): only pytest's collection records it, which `--collect-only`'s
    /// summary (and an `error` filter) shows; a run's engine does it as it imports.
    pub warns_at_import: Option<String>,
    /// A file the module reads or a directory it lists as it is imported (`` reads
    /// files at import time (line N) ``): its import fails when that is missing, which
    /// only pytest's collection reports (a run's engine reports it as it imports).
    pub reads_files: Option<String>,
    /// Whether a module-level `pytest_runtest_logreport` may write to the terminal
    /// (`may_write_output`): pytest calls it outside every phase's capture.
    pub logreport_writes: bool,
    pub pytest_plugins: bool,
    /// The plugin names a single literal `pytest_plugins = ...` (a string of
    /// comma-separated names, or a list or tuple of strings) gives, as pytest's
    /// `_get_plugin_specs_as_list` reads them; `None` when computed or bound more than once.
    pub pytest_plugin_specs: Option<Vec<String>>,
    /// conftest `collect_ignore` / `collect_ignore_glob`, when literal lists.
    pub collect_ignore: Vec<String>,
    pub collect_ignore_glob: Vec<String>,
    /// `collect_ignore`/`collect_ignore_glob` are computed or changed at import time:
    /// what the walk skips is only known by importing the conftest.
    pub dynamic_ignore: bool,
    /// A hook pytest calls before collecting (`pytest_configure`, ...) assigns to one of
    /// pytest's options (`config.option.markexpr = "not integration"`): what is selected,
    /// and how the session reports, is then the conftest's, which only pytest's own
    /// session honours. The assignment's target, as written.
    pub sets_options: Option<String>,
    /// Reasons the file's items cannot be proven from its source.
    pub uncertain: Vec<String>,
    /// Names of doctest-bearing objects (module docstring, functions, classes, methods),
    /// as dotted paths relative to the module; `""` is the module itself.
    pub doctests: Vec<String>,
    /// Modules imported when the module is imported (module and class bodies, outside
    /// `try` blocks that catch `ImportError`): each must resolve or the import fails.
    pub imports: Vec<ImportRef>,
    /// Every `NAME` in a `pytest.mark.NAME` the file mentions: pytest warns (or, with
    /// `--strict-markers`, fails) for names nobody registered.
    pub mark_names: Vec<String>,
    /// Markers a conftest registers with literal, unconditional
    /// `config.addinivalue_line("markers", "...")` calls in `pytest_configure`.
    pub registered_markers: Vec<String>,
    /// For a plugin module: the markers its `pytest_load_initial_conftests` registers
    /// with literal `early_config.addinivalue_line("markers", "...")` calls, when that
    /// hook does nothing else with its arguments than read the ini and options and
    /// register markers (`None` otherwise, or without the hook). pytest never calls
    /// the hook of a conftest.
    pub plain_early_hook_markers: Option<Vec<String>>,
    /// Why importing the module itself may fail, warn or stop (a syntax problem, a
    /// `raise` or `pytest.skip` at import time): one of the `uncertain` reasons, kept
    /// apart because it also matters for modules imported without being collected
    /// (a test package's `__init__.py`).
    pub import_hazard: Option<String>,
    /// A use of pytest's plugin machinery that only pytest's own config and nodes serve
    /// (`pluginmanager.register`, `config.hook`, `ihook`): the native engine's stand-ins
    /// do not have them, so the pytest engine runs the file's items (see
    /// [`pytest_machinery_use`]).
    pub pytest_machinery: Option<String>,
    /// With doctests: why a doctest's name may not be where its `def` stands (the
    /// module's classes get attributes at import, and doctest's finder, which walks the
    /// module's namespace in order and visits each object once, names a function it
    /// meets in a class first by that class); see [`class_attributes_set`].
    pub doctest_renaming: Option<String>,
    /// The modules of its top-level `from m import *` statements, as written (`.m` for a
    /// relative one): in a conftest, whatever hooks they define are the conftest's.
    pub star_imports: Vec<String>,
    /// The modules of `from m import *` statements inside top-level blocks (`try: from
    /// _operator import *`): names read from this module may be theirs instead.
    pub block_star_imports: Vec<String>,
    /// Module-level names bound more than once or under a condition: which object
    /// such a name holds is not read from the source.
    pub unstable: Vec<String>,
    /// Module-level enum classes whose members' parametrize IDs the source settles:
    /// class name to member name to the member's value (see `Ctx::enum_members`).
    pub enums: HashMap<String, HashMap<String, PyValue>>,
    /// Module-level `name = other` assignments (the last one of each name): what a
    /// compat module's `text_type = str` makes of `text_type`.
    pub aliases: HashMap<String, AliasOf>,
    /// `__all__`: `None` when the module never binds it, `Some(None)` when its value is
    /// computed or changed in place, else the literal list (what `import *` takes).
    pub dunder_all: Option<Option<Vec<String>>>,
    /// Builtin names this outline reads as the builtins (a base `str`, a parameter
    /// `int`): a star import that binds one of them changes what they are.
    pub builtins_relied: Vec<String>,
    /// Classes of other modules this module's classes derive from, read from their
    /// source under names no module binds (`discovery::inline_external_bases`): bases
    /// for the MRO, never collected themselves.
    pub inlined: Vec<Binding>,
    /// Names a top-level condition read that the module imports from another
    /// (`from attr._compat import PY_3_10_PLUS`, then `if not PY_3_10_PLUS:`), as
    /// `(module as written, name)`: the caller may read their values from that module's
    /// source ([`Outline::conditions`]) and parse again with them
    /// ([`parse_outline_seeded`]).
    pub wanted_conditions: Vec<(String, String)>,
    /// The module's constants bound to a condition its source decides (`PY_3_10_PLUS =
    /// sys.version_info[:2] >= (3, 10)`), with their values: what a module importing
    /// them may decide its own conditions by.
    pub conditions: Vec<(String, bool)>,
    /// The module's `pytest_generate_tests` acts only on functions whose fixture names
    /// hold one of these (its body is `if "name" in metafunc.fixturenames:` branches and
    /// nothing else): for any other function it does nothing. `None` when there is no
    /// such hook or its body says more.
    pub generate_tests_guard: Option<Vec<String>>,
}

/// Values of names imported from other modules, read from their source: `(module as
/// written in the `from` import, name) -> value`.
pub type ImportedConditions = HashMap<(String, String), bool>;

static NO_SEEDS: std::sync::LazyLock<ImportedConditions> = std::sync::LazyLock::new(HashMap::new);

/// The object a module-level `name = other` assignment binds `name` to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasOf {
    /// A builtin class (`str`, `object`) the module does not rebind.
    Builtin(String),
    /// Another name in the module's namespace, dotted (`compat.text_type`).
    Name(String),
}

thread_local! {
    /// One parser per thread, reused for every file that thread reads: making a parser
    /// (and setting its language) allocates its tables, a measurable share of a small
    /// file's parse.
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parse `src` with tree-sitter's Python grammar, or say why not.
pub(crate) fn parse_python(src: &[u8]) -> Result<tree_sitter::Tree, &'static str> {
    PARSER.with(|cell| {
        let mut slot = cell.try_borrow_mut().map_err(|_| "parser busy")?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .map_err(|_| "parser unavailable")?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut().ok_or("parser unavailable")?;
        parser.parse(src, None).ok_or("parse failed")
    })
}

/// Parse `src` (UTF-8 Python source) into an [`Outline`], for the oldest Python pytest
/// supports (syntax only newer versions accept makes the file uncertain).
pub fn parse_outline(src: &[u8], want_doctests: bool) -> Outline {
    parse_outline_for(src, want_doctests, PyVersion::MIN)
}

/// Parse `src` (UTF-8 Python source) into an [`Outline`], checking it against what
/// the target's CPython compiles and deciding its conditions on the target's version
/// and platform.
pub fn parse_outline_for(src: &[u8], want_doctests: bool, target: impl Into<Target>) -> Outline {
    parse_outline_seeded(src, want_doctests, target, &ImportedConditions::new())
}

/// [`parse_outline_for`], with the values of condition constants the module imports
/// from others (see [`Outline::wanted_conditions`]).
pub fn parse_outline_seeded(
    src: &[u8],
    want_doctests: bool,
    target: impl Into<Target>,
    seeds: &ImportedConditions,
) -> Outline {
    let target = target.into();
    let python = target.python;
    let tree = match parse_python(src) {
        Ok(tree) => tree,
        Err(why) => {
            return Outline {
                uncertain: vec![why.into()],
                ..Outline::default()
            }
        }
    };
    let root = tree.root_node();
    let mut out = Outline {
        pytest_machinery: pytest_machinery_use(src),
        ..Outline::default()
    };
    if root.has_error() {
        // pytest reports the exact SyntaxError; only an import reproduces it.
        out.uncertain.push("syntax error".into());
        out.import_hazard = Some("syntax error".into());
        return out;
    }
    let mut ctx = Ctx::new(src);
    ctx.python = python;
    ctx.platform = target.platform;
    ctx.implementation = target.implementation;
    ctx.seeds = seeds;
    ctx.scan_module(root);
    // tree-sitter accepts much that CPython rejects or warns about; the same walk
    // collects the imports and mark names the certainty checks need.
    let aliases = MarkAliases {
        pytest: &ctx.pytest_mods,
        mark: &ctx.mark_objs,
    };
    let mut facts = syntax::Facts::default();
    if let Err(why) = syntax::check(src, root, python, &aliases, &mut facts) {
        let why = format!("CPython may reject or warn: {why}");
        out.uncertain.push(why.clone());
        out.import_hazard = Some(why);
        return out;
    }
    out.imports = facts.imports;
    out.mark_names = facts.mark_names;
    ctx.generator_defs = facts.generator_defs;
    ctx.build_module(root, &mut out);
    let effects = import_time_effects(root, src);
    // First, so the fallback (and its `-v` reason) sees it whatever else is uncertain.
    if let Some(why) = effects.loader_change {
        out.uncertain.insert(0, why);
    }
    out.reads_files = effects.file_read;
    out.warns_at_import = ctx.import_warning.take();
    for (module, line) in ctx.importorskips.take() {
        // The test module itself is read when `module` imports (the import check says
        // whether it resolves); a module read for its classes, or a package's
        // `__init__`, stays a hazard: its importer's collection would end with it.
        out.import_hazard
            .get_or_insert_with(|| format!("`pytest.importorskip` at import time (line {line})"));
        out.imports.push(ImportRef {
            level: 0,
            module,
            names: Vec::new(),
            line,
            role: syntax::TryRole::Always,
        });
    }
    out.unstable = ctx.unstable.iter().cloned().collect();
    let mut wanted: Vec<(String, String)> = ctx.wanted.take().into_iter().collect();
    wanted.sort();
    out.wanted_conditions = wanted;
    // A constant the module binds otherwise too (a function, a class, an import under
    // its name) is not the condition's value at the end of the import.
    let plain_value = |name: &str| {
        out.bindings
            .iter()
            .filter(|b| b.name == name)
            .all(|b| matches!(b.kind, BindingKind::Value { .. }))
    };
    let mut conditions: Vec<(String, bool)> = ctx
        .conditions
        .iter()
        .filter_map(|(name, v)| Some((name.clone(), (*v)?)))
        // Nor is one a function may rebind (`global`) or that changes in place.
        .filter(|(name, _)| {
            !ctx.unstable.contains(name) && plain_value(name) && !ctx.mutated().contains(name)
        })
        .collect();
    conditions.sort();
    out.conditions = conditions;
    // Imports in branches of a decided `if` that never run.
    out.imports
        .retain(|i| !ctx.untaken.iter().any(|(a, b)| (*a..=*b).contains(&i.line)));
    let mut relied: Vec<String> = ctx.relied.borrow().iter().cloned().collect();
    relied.sort();
    out.builtins_relied = relied;
    out.enums = ctx
        .enums
        .iter()
        .filter(|(name, _)| !ctx.unstable.contains(*name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if xdist_roles_named(src) {
        out.controller_hooks = out
            .hooks
            .iter()
            .filter(|h| CONTROLLER_HOOKS.contains(&h.as_str()))
            .cloned()
            .collect();
    }
    if want_doctests {
        collect_doctests_in(src, root, Some(&ctx.flat), "", &mut out.doctests);
        if !out.doctests.is_empty() {
            out.doctest_renaming = class_attributes_set(src, root);
        }
    }
    out
}

/// Whether importing the module may add attributes to its own top-level classes: a
/// `setattr(` anywhere (a registering decorator's body, say: a byte scan) or an
/// assignment to `Class.name` outside functions. A function stored on a class defined
/// before it is found by doctest's finder under the class's name.
fn class_attributes_set(src: &[u8], root: Node<'_>) -> Option<String> {
    let mut c = root.walk();
    let classes: Vec<&[u8]> = root
        .named_children(&mut c)
        .filter_map(definition_of)
        .filter(|d| d.kind() == "class_definition")
        .filter_map(|d| field(d, "name"))
        .map(|n| &src[n.byte_range()])
        .collect();
    if classes.is_empty() {
        return None;
    }
    if src.windows(8).any(|w| w == b"setattr(") {
        return Some("setattr() may store functions on the module's classes".into());
    }
    fn assigned(src: &[u8], n: Node<'_>, classes: &[&[u8]]) -> Option<String> {
        match n.kind() {
            "function_definition" | "lambda" | "class_definition" => return None,
            "assignment" | "augmented_assignment" => {
                if let Some(left) = field(n, "left").filter(|l| l.kind() == "attribute") {
                    if let Some(obj) = field(left, "object") {
                        if obj.kind() == "identifier" && classes.contains(&&src[obj.byte_range()]) {
                            let text = String::from_utf8_lossy(&src[left.byte_range()]);
                            return Some(format!("{text} is assigned at import"));
                        }
                    }
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        let children: Vec<Node<'_>> = n.named_children(&mut c).collect();
        children
            .into_iter()
            .find_map(|ch| assigned(src, ch, classes))
    }
    assigned(src, root, &classes)
}

/// Whether `rest` (what follows a `pluginmanager`) takes pytest's logging plugin away
/// or puts it back, which the native engine's log capture honours:
/// `.unregister(name="logging-plugin")`, `.register(plugin, "logging-plugin")` (the
/// name by keyword or not, either quote).
fn toggles_logging_plugin(rest: &[u8]) -> bool {
    fn ws(b: &[u8]) -> &[u8] {
        let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
        &b[n..]
    }
    fn token<'a>(b: &'a [u8], t: &[u8]) -> Option<&'a [u8]> {
        ws(b).strip_prefix(t)
    }
    fn name_arg(b: &[u8]) -> Option<&[u8]> {
        let b = ws(b);
        let b = b
            .strip_prefix(b"name")
            .map_or(Some(b), |r| token(r, b"="))?;
        let b = ws(b);
        let q = *b.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let b = b[1..].strip_prefix(b"logging-plugin".as_slice())?;
        let b = b.strip_prefix(&[q][..])?;
        let b = ws(b);
        let b = b.strip_prefix(b",").map_or(b, ws);
        b.strip_prefix(b")")
    }
    if let Some(r) = token(rest, b".unregister(") {
        return ws(r).starts_with(b"name") && name_arg(r).is_some();
    }
    if let Some(r) = token(rest, b".register(") {
        let r = ws(r);
        let n = r.iter().take_while(|b| skim::is_ident(**b)).count();
        return n > 0 && token(&r[n..], b",").and_then(name_arg).is_some();
    }
    false
}

/// Names pytest registers objects (not plugin modules) under: the native engine has no
/// such objects to hand out, so a lookup of one is pytest's to answer.
const PLUGIN_OBJECT_NAMES: &[&str] = &[
    "terminalreporter",
    "capturemanager",
    "session",
    "pytestconfig",
    "funcmanage",
    "logging-plugin",
    "lfplugin",
    "nfplugin",
    "stepwiseplugin",
    "legacypath-tmpdir",
    "legacypath-pytester",
    "terminalprogress-plugin",
    "pdbtrace",
    "pdbinvoke",
];

/// Whether `rest` (what follows a `pluginmanager`) looks a plugin up by a literal name
/// the native engine answers as pytest does: `.hasplugin("xdist")`,
/// `.get_plugin('asyncio')` (installed, builtin and `-p` plugin modules by name).
fn looks_up_a_plugin_module(rest: &[u8]) -> bool {
    let Some(rest) = rest.strip_prefix(b".") else {
        return false;
    };
    let Some(r) = [
        b"hasplugin(".as_slice(),
        b"has_plugin(",
        b"getplugin(",
        b"get_plugin(",
    ]
    .iter()
    .find_map(|m| rest.strip_prefix(*m)) else {
        return false;
    };
    let ws = |b: &[u8]| b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let r = &r[ws(r)..];
    let Some(&q) = r.first().filter(|q| matches!(q, b'"' | b'\'')) else {
        return false;
    };
    let Some(len) = r[1..].iter().position(|c| *c == q) else {
        return false;
    };
    let name = &r[1..=len];
    let after = &r[len + 2..];
    let plain = name
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    plain
        && !name.is_empty()
        && !PLUGIN_OBJECT_NAMES.iter().any(|o| o.as_bytes() == name)
        && after[ws(after)..].starts_with(b")")
}

/// The first use in `src` of pytest's plugin machinery, which the native engine's
/// `config` has no stand-in for: the plugin manager (whose lookups answer for the
/// session's real plugins: `has_plugin("xdist")`, `getplugin("terminalreporter")`), a
/// `config.hook` call or a node's `ihook`. A byte scan over the whole source, function
/// bodies and strings included: a false match only costs the pytest engine, a missed
/// one a wrong outcome.
pub fn pytest_machinery_use(src: &[u8]) -> Option<String> {
    let word_at = |i: usize, word: &[u8]| -> bool {
        src[i..].starts_with(word)
            && (i == 0 || !skim::is_ident(src[i - 1]))
            && src.get(i + word.len()).is_none_or(|b| !skim::is_ident(*b))
    };
    for i in 0..src.len() {
        match src[i] {
            b'p' if word_at(i, b"pluginmanager")
                && !unused_addoption_argument(src, i)
                && !toggles_logging_plugin(&src[i + b"pluginmanager".len()..])
                && !looks_up_a_plugin_module(&src[i + b"pluginmanager".len()..]) =>
            {
                let rest = &src[i + b"pluginmanager".len()..];
                let attr: Vec<u8> = rest
                    .strip_prefix(b".")
                    .map(|r| {
                        r.iter()
                            .copied()
                            .take_while(|b| skim::is_ident(*b))
                            .collect()
                    })
                    .unwrap_or_default();
                let attr = String::from_utf8_lossy(&attr);
                return Some(if attr.is_empty() {
                    "pytest's plugin manager".to_string()
                } else {
                    format!("pluginmanager.{attr}")
                });
            }
            b'i' if word_at(i, b"ihook") => return Some("a node's ihook".into()),
            b'.' if src[i..].starts_with(b".hook.") && src[..i].ends_with(b"config") => {
                return Some("config.hook".into());
            }
            _ => {}
        }
    }
    None
}

/// What an installed plugin's module that the native engine can load as pytest does
/// provides besides fixtures ([`quiet_plugin`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuietPlugin {
    /// The markers its `pytest_configure` registers with literal names.
    pub markers: Vec<String>,
    /// The ini keys its `pytest_addoption` registers (`parser.addini("name", ...)`);
    /// `None` when a name is computed.
    pub ini_keys: Option<Vec<String>>,
    /// It defines `pytest_report_header` (a worker plugin: the workers' pytest asks it;
    /// only pytest's own start words it for `--collect-only`).
    pub header: bool,
}

/// The hooks a quiet plugin may define: the native engine calls them at its start, as
/// pytest does (`Engine._load_plugin`), and they act on nothing pytest draws.
const QUIET_PLUGIN_HOOKS: &[&str] = &["pytest_addoption", "pytest_configure"];

/// Whether an installed plugin's module (what a `pytest11` entry point loads) provides
/// nothing but fixtures, options and ini keys (`pytest_addoption`) and what its
/// `pytest_configure` sets up (markers, module state: typeguard's import hook,
/// requests-mock's ini key): the native engine can load it as pytest does and stand in
/// for the plugin. `Ok(what it registers)`, or `Err(why not)`: another hook,
/// `pytest_plugins`, pytest's plugin machinery or its private `_pytest` modules
/// (monkeypatching them, say), a name bound to a `pytest_*` hook by an import, a star
/// import, a syntax error.
pub fn quiet_plugin(src: &[u8]) -> Result<QuietPlugin, String> {
    if names_private_pytest(src) && !private_pytest_for_annotations_only(src) {
        return Err("pytest's private modules".into());
    }
    plugin_outline(src, QUIET_PLUGIN_HOOKS)
}

/// The hooks a worker plugin may define besides a quiet plugin's: each runs inside a
/// worker's pytest (its session, the runtest protocol of its items, the assertion
/// explanations of its tests) and draws nothing the coordinator's reporter would have to,
/// nor changes what is collected. pytest-xdist runs the session hooks in each worker
/// too.
const WORKER_PLUGIN_HOOKS: &[&str] = &[
    "pytest_addoption",
    "pytest_configure",
    "pytest_unconfigure",
    "pytest_sessionstart",
    "pytest_sessionfinish",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    // Hook specifications of its own (pytest-recording's `pytest_recording_configure`,
    // which its fixtures call): the workers' pytest has them, and the conftests that
    // implement them.
    "pytest_addhooks",
    // Only one that writes nothing (pyfakefs's pauses its patching around the
    // reporting): the worker's pytest calls it with each of its reports, as pytest-xdist's
    // workers do, but what it would print lands in no place pytest's would.
    "pytest_runtest_logreport",
    "pytest_pyfunc_call",
    "pytest_fixture_setup",
    "pytest_fixture_post_finalizer",
    "pytest_assertrepr_compare",
    // Its lines reach the header through the workers' pytest, which asks every
    // implementation (`_PytestEngine._header_answers`); pytest-metadata's, pytest-base-url's.
    "pytest_report_header",
    // Called only by pytest-xdist's controller, with a worker's output (pytest-metadata
    // merges the workers' metadata): fastest's workers are no xdist nodes.
    "pytest_testnodedown",
];

/// pytest's private modules a worker plugin may not use (beyond annotations): what
/// collects, reports to the terminal or writes it, and the plugins fastest serves itself.
const WORKER_DENIED_PRIVATE: &[&str] = &[
    "terminal",
    "main",
    "python",
    "doctest",
    "unittest",
    "nodes",
    "_io",
    "cacheprovider",
    "stepwise",
    "junitxml",
    "pytester",
    "helpconfig",
    "debugging",
    "setuponly",
    "setupplan",
];

/// Whether an installed plugin's module can run as it is in the workers' pytest engine
/// while fastest collects, schedules and reports: its hooks are all
/// [`WORKER_PLUGIN_HOOKS`] (pytest-socket's `pytest_runtest_setup`, pytest-icdiff's
/// `pytest_assertrepr_compare`, pytest-httpserver's `pytest_sessionfinish`) or a plain
/// `pytest_load_initial_conftests` (pytest-dotenv's: see
/// [`Outline::plain_early_hook_markers`]), it neither
/// reaches pytest's terminal reporter nor its plugin machinery, and of pytest's private
/// modules it uses none that collect or draw ([`WORKER_DENIED_PRIVATE`]). `Ok(what it
/// registers)` or `Err(why not)`, as [`quiet_plugin`].
pub fn worker_plugin(src: &[u8]) -> Result<QuietPlugin, String> {
    let has = |needle: &[u8]| src.windows(needle.len()).any(|w| w == needle);
    // (`config.get_terminal_writer()` only reads how the session draws: its markup, in
    // an assertion explanation; the workers' pytest is told the coordinator's colour.)
    if [
        &b"terminalreporter"[..],
        b"TerminalReporter",
        b"TerminalWriter",
    ]
    .iter()
    .any(|n| has(n))
    {
        return Err("pytest's terminal reporter".into());
    }
    if let Some(module) = denied_private_module(src) {
        if !private_pytest_for_annotations_only(src) {
            return Err(format!("pytest's private module `{module}`"));
        }
    }
    // A plain `pytest_load_initial_conftests` ([`Outline::plain_early_hook_markers`])
    // runs in the workers' pytest as in pytest's; its markers count as registered.
    let mut hooks = WORKER_PLUGIN_HOOKS.to_vec();
    hooks.push("pytest_load_initial_conftests");
    let o = parse_outline(src, false);
    // The workers' pytest is the real one: its plugin manager answers lookups, takes
    // hook specifications and calls hooks as pytest's; only a plugin loading or
    // dropping others (which may draw) is not the workers' to run.
    if let Some(m) = plugins_loaded(src) {
        return Err(m);
    }
    let o = Outline {
        pytest_machinery: None,
        ..o
    };
    let mut found = outline_of_plugin(src, &o, &hooks)?;
    if o.logreport_writes {
        return Err("hook pytest_runtest_logreport".into());
    }
    if o.hooks.iter().any(|h| h == "pytest_load_initial_conftests") {
        match o.plain_early_hook_markers {
            Some(markers) => found.markers.extend(markers),
            None => return Err("hook pytest_load_initial_conftests".into()),
        }
    }
    Ok(found)
}

/// The first use in `src` of pytest's plugin manager that loads, registers or blocks
/// plugins (`pluginmanager.register`, `import_plugin`, `consider_*`, `set_blocked`, ...).
fn plugins_loaded(src: &[u8]) -> Option<String> {
    const LOADING: &[&str] = &[
        "register",
        "unregister",
        "import_plugin",
        "consider_",
        "set_blocked",
        "load_setuptools_entrypoints",
    ];
    const NAME: &[u8] = b"pluginmanager.";
    for (i, w) in src.windows(NAME.len()).enumerate() {
        if w != NAME || (i > 0 && skim::is_ident(src[i - 1])) {
            continue;
        }
        let attr: Vec<u8> = src[i + NAME.len()..]
            .iter()
            .copied()
            .take_while(|&b| skim::is_ident(b))
            .collect();
        let attr = String::from_utf8_lossy(&attr);
        if LOADING.iter().any(|l| attr.starts_with(l)) {
            return Some(format!("pluginmanager.{attr}"));
        }
    }
    None
}

/// The first of pytest's private modules `src` names that a worker plugin may not use
/// (`import _pytest` on its own included); `_pytest._io.saferepr` is allowed.
fn denied_private_module(src: &[u8]) -> Option<String> {
    const NAME: &[u8] = b"_pytest";
    for (i, w) in src.windows(NAME.len()).enumerate() {
        if w != NAME
            || (i > 0 && skim::is_ident(src[i - 1]))
            || src.get(i + NAME.len()).is_some_and(|&b| skim::is_ident(b))
        {
            continue;
        }
        let rest = &src[i + NAME.len()..];
        let Some(dotted) = rest.strip_prefix(b".") else {
            // `from _pytest import capture, pathlib` names its modules one by one.
            match from_import_names(&src[..i], rest) {
                Some(names) => {
                    if let Some(m) = names
                        .iter()
                        .find(|n| WORKER_DENIED_PRIVATE.contains(&n.as_str()))
                    {
                        return Some(format!("_pytest.{m}"));
                    }
                    continue;
                }
                None => return Some("_pytest".into()),
            }
        };
        let path: Vec<u8> = dotted
            .iter()
            .copied()
            .take_while(|&b| skim::is_ident(b) || b == b'.')
            .collect();
        let path = String::from_utf8_lossy(&path).into_owned();
        if path.starts_with("_io.saferepr") {
            continue;
        }
        let first = path.split('.').next().unwrap_or_default();
        if WORKER_DENIED_PRIVATE.contains(&first) {
            return Some(format!("_pytest.{path}"));
        }
    }
    None
}

/// The names of `from _pytest import a, b as c` (`before`: the source up to `_pytest`,
/// `rest`: what follows it), or `None` when `_pytest` stands otherwise (`import
/// _pytest`, a parenthesised or continued list, a star).
fn from_import_names(before: &[u8], rest: &[u8]) -> Option<Vec<String>> {
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let head = std::str::from_utf8(&before[line_start..]).ok()?;
    if head.trim() != "from" {
        return None;
    }
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = std::str::from_utf8(&rest[..line_end]).ok()?;
    let line = line.split('#').next().unwrap_or_default();
    let names = line.trim_start().strip_prefix("import")?;
    if !names.starts_with(char::is_whitespace) {
        return None;
    }
    let mut out = Vec::new();
    for part in names.split(',') {
        let name = part.split_whitespace().next()?;
        if !name.bytes().all(skim::is_ident) {
            return None;
        }
        out.push(name.to_string());
    }
    Some(out)
}

/// The checks [`quiet_plugin`] and [`worker_plugin`] share, with the hooks each allows.
fn plugin_outline(src: &[u8], allowed_hooks: &[&str]) -> Result<QuietPlugin, String> {
    outline_of_plugin(src, &parse_outline(src, false), allowed_hooks)
}

/// [`plugin_outline`] with the module's outline `o` already parsed.
fn outline_of_plugin(
    src: &[u8],
    o: &Outline,
    allowed_hooks: &[&str],
) -> Result<QuietPlugin, String> {
    let has = |needle: &[u8]| src.windows(needle.len()).any(|w| w == needle);
    if has(b"import *") {
        return Err("a star import".into());
    }
    if let Some(h) = &o.import_hazard {
        return Err(h.clone());
    }
    if let Some(h) = o
        .hooks
        .iter()
        .find(|h| !allowed_hooks.contains(&h.as_str()))
    {
        return Err(format!("hook {h}"));
    }
    if o.pytest_plugins {
        return Err("pytest_plugins".into());
    }
    if let Some(m) = &o.pytest_machinery {
        return Err(m.clone());
    }
    if let Some(b) = o.bindings.iter().find(|b| {
        // `import pytest_asyncio` binds a module, which pluggy takes for no hook
        // (it parses routines only).
        let module = matches!(b.kind, BindingKind::Import { plain: true, .. });
        b.name.starts_with("pytest_") && !matches!(b.kind, BindingKind::Function(_)) && !module
    }) {
        return Err(format!("`{}` bound otherwise than by a def", b.name));
    }
    Ok(QuietPlugin {
        markers: o.registered_markers.clone(),
        ini_keys: addini_names(src),
        header: o.hooks.iter().any(|h| h == "pytest_report_header"),
    })
}

/// Whether `src` names the `_pytest` package (the name on its own, not a prefix of
/// another: requests-mock's `_pytest_version`).
fn names_private_pytest(src: &[u8]) -> bool {
    const NAME: &[u8] = b"_pytest";
    src.windows(NAME.len()).enumerate().any(|(i, w)| {
        w == NAME
            && (i == 0 || !skim::is_ident(src[i - 1]))
            && src.get(i + NAME.len()).is_none_or(|&b| !skim::is_ident(b))
    })
}

/// Whether every use of pytest's private `_pytest` package in `src` is a `from
/// _pytest.<module> import <names>` whose names appear in annotations only: typed
/// plugins take `Config` or `SubRequest` from there for their signatures (pytest-click,
/// pytest-order), which does nothing at run time; or an `import _pytest.<module>` whose
/// `_pytest` appears in annotations only (pytest-snapshot's `_pytest.python.Function`).
/// Anything else (`import _pytest` on its own is still bound: its uses outside
/// annotations, a name called, subclassed or assigned to) is a use of pytest's
/// internals.
fn private_pytest_for_annotations_only(src: &[u8]) -> bool {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return false;
    }
    let Some(tree) = parser.parse(src, None) else {
        return false;
    };
    let root = tree.root_node();
    if root.has_error() {
        return false;
    }
    let text = |n: Node<'_>| n.utf8_text(src).unwrap_or_default();
    let mut names: HashSet<&str> = HashSet::new();
    let mut imports: Vec<std::ops::Range<usize>> = Vec::new();
    let mut identifiers: Vec<Node<'_>> = Vec::new();
    // Whether `import _pytest.<module>` binds `_pytest`.
    let mut dotted = false;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind() == "import_from_statement" {
            let module = field(n, "module_name").map(text).unwrap_or_default();
            if module == "_pytest" || module.starts_with("_pytest.") {
                let mut cursor = n.walk();
                for name in n.children_by_field_name("name", &mut cursor) {
                    let bound = match name.kind() {
                        "aliased_import" => field(name, "alias").map(text),
                        _ => Some(text(name)),
                    };
                    match bound {
                        Some(b) if !b.contains('.') => names.insert(b),
                        _ => return false,
                    };
                }
                imports.push(n.byte_range());
                continue;
            }
        }
        if n.kind() == "import_statement" {
            // `import _pytest.python`, for `_pytest.python.Function` in annotations.
            let mut cursor = n.walk();
            let names: Vec<Node<'_>> = n.children_by_field_name("name", &mut cursor).collect();
            let private = |m: &Node<'_>| {
                m.kind() == "dotted_name" && text(*m).split('.').next() == Some("_pytest")
            };
            if names.iter().any(private) {
                if !names.iter().all(private) {
                    return false;
                }
                dotted = true;
                imports.push(n.byte_range());
                continue;
            }
        }
        if n.kind() == "identifier" {
            identifiers.push(n);
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
    }
    let in_annotation = |n: Node<'_>| {
        let mut up = n.parent();
        while let Some(p) = up {
            if p.kind() == "type" {
                return true;
            }
            up = p.parent();
        }
        false
    };
    identifiers.iter().all(|&n| {
        let t = text(n);
        let imported = imports.iter().any(|r| r.contains(&n.start_byte()));
        let private = if t == "_pytest" {
            dotted
        } else {
            names.contains(t)
        };
        imported || !private || in_annotation(n)
    })
}

/// The names of every `.addini(...)` call in `src`, when each is a string literal.
pub fn addini_names(src: &[u8]) -> Option<Vec<String>> {
    const CALL: &[u8] = b".addini(";
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(pos) = src[at..].windows(CALL.len()).position(|w| w == CALL) {
        let rest = &src[at + pos + CALL.len()..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = rest[1..]
            .iter()
            .position(|&b| b == quote || b == b'\\' || b == b'\n')?;
        if rest[1 + end] != quote {
            return None;
        }
        names.push(String::from_utf8_lossy(&rest[1..1 + end]).into_owned());
        at += pos + CALL.len();
    }
    Some(names)
}

/// Whether the `pluginmanager` at `at` is `pytest_addoption`'s argument of that name in
/// its signature (`def pytest_addoption(parser, pluginmanager: ...)`) or its `del`
/// (typed conftests take the hook's whole signature and drop what they do not use):
/// naming it uses nothing. A use in the body (`pluginmanager.register`) is still found.
fn unused_addoption_argument(src: &[u8], at: usize) -> bool {
    let before = &src[..at];
    let trimmed = before.trim_ascii_end();
    if trimmed.ends_with(b"del") && trimmed.len() >= 3 {
        let ok = trimmed.len() == 3 || !skim::is_ident(trimmed[trimmed.len() - 4]);
        if ok {
            return true;
        }
    }
    let Some(def) = before
        .windows(b"def pytest_addoption(".len())
        .rposition(|w| w == b"def pytest_addoption(")
    else {
        return false;
    };
    // Still in the parameter list: no `)` closes it before this name.
    let params = &before[def + b"def pytest_addoption(".len()..];
    !params.contains(&b')')
}

/// What a call of a name the module binds at the top level runs, as far as the module's
/// own source tells: a plain function's body, or a plain class's constructors.
#[derive(Clone)]
enum Callee<'a> {
    Function(Node<'a>),
    Class(Vec<Node<'a>>),
}

impl<'a> Callee<'a> {
    fn bodies(&self) -> &[Node<'a>] {
        match self {
            Callee::Function(body) => std::slice::from_ref(body),
            Callee::Class(ctors) => ctors,
        }
    }
}

/// Parsing context: the source, import aliases and module constants.
struct Ctx<'a> {
    src: &'a [u8],
    /// Values of condition constants imported from other modules (the caller read them
    /// from those modules' source).
    seeds: &'a ImportedConditions,
    /// Names bound by `from module import name [as alias]`: alias -> (module, name).
    from_imports: HashMap<String, (String, String)>,
    /// Imported names a top-level condition read without a value for them.
    wanted: std::cell::RefCell<HashSet<(String, String)>>,
    /// Line ranges (1-based, inclusive) of top-level `if` branches the interpreter never
    /// runs: their imports need not resolve.
    untaken: Vec<(u32, u32)>,
    /// The module has a top-level `from m import *`: a name it does not bind may come
    /// from there.
    star_import: bool,
    /// Names `rebound` found not bound by the module: read as the builtins.
    relied: std::cell::RefCell<HashSet<String>>,
    /// `pytest.importorskip("m")` calls run at import, with their lines: the module
    /// skips unless `m` imports, which the import check settles as for `import m`.
    importorskips: std::cell::RefCell<Vec<(String, u32)>>,
    /// The first `warnings.warn` run at import (see [`Outline::warns_at_import`]).
    import_warning: std::cell::RefCell<Option<String>>,
    /// Names bound to the `pytest` module.
    pytest_mods: HashSet<String>,
    /// Names bound to `pytest.mark`.
    mark_objs: HashSet<String>,
    /// Names bound to `pytest.fixture`.
    fixture_fns: HashSet<String>,
    /// Names bound to `pytest.param`.
    param_fns: HashSet<String>,
    /// Names imported from `pytest` whose call ends collection of the module
    /// (`skip`, `importorskip`, `exit`, `fail`, `xfail`).
    outcome_fns: HashSet<String>,
    /// Names bound to the `unittest` module.
    unittest_mods: HashSet<String>,
    /// Names bound to `unittest.TestCase` / `IsolatedAsyncioTestCase`.
    testcase_names: HashSet<String>,
    /// Module-level names assigned exactly once, with their value node.
    consts: HashMap<String, Node<'a>>,
    /// Module-level names bound more than once, or mutated in place.
    unstable: HashSet<String>,
    /// The module, for [`Ctx::mutated`]'s walk.
    root: Option<Node<'a>>,
    /// Constants some code may change before pytest reads them (see [`Ctx::mutated`]),
    /// found on first use.
    mutated: std::cell::OnceCell<HashSet<String>>,
    /// Classes and functions defined at module level (their `__name__` is their name).
    local_defs: HashSet<String>,
    /// Classes seen so far, for base resolution: whether an instance of one has no
    /// `__name__` and no value of its own (see [`plain_instances`]).
    classes: HashMap<String, bool>,
    /// The names bound so far in the class bodies being read, innermost last: a
    /// decorator in a class body is evaluated in the class's namespace.
    class_frames: Vec<HashMap<String, ClassName<'a>>>,
    /// Names bound to `unittest`/`mock` objects: decorators rooted there (`mock.patch`,
    /// `unittest.skip`) keep a test a plain function without marks.
    safe_decorator_roots: HashSet<String>,
    /// Start bytes of generator `def`s (the syntax walk saw their `yield`s).
    generator_defs: HashSet<usize>,
    /// Names module-level imports bind.
    import_bound: HashSet<String>,
    /// Names bound to the `sys` and `typing` modules, and to `typing.TYPE_CHECKING`:
    /// what a top-level `if` on the interpreter's version or on type checking tests.
    sys_mods: HashSet<String>,
    typing_mods: HashSet<String>,
    type_checking: HashSet<String>,
    /// The interpreter's version, which `sys.version_info` tests compare.
    python: PyVersion,
    /// The interpreter's platform, which `sys.platform`, `os.name` and
    /// `platform.system()` tests compare; names bound to `os` and `platform`, and to
    /// `sys.platform` (`from sys import platform`).
    platform: Platform,
    /// The interpreter's implementation, which `platform.python_implementation()` and
    /// `sys.implementation.name` tests compare.
    implementation: Implementation,
    os_mods: HashSet<String>,
    platform_mods: HashSet<String>,
    sys_platform_names: HashSet<String>,
    /// Module-level names bound to a condition decided here, as bound so far.
    conditions: HashMap<String, Option<bool>>,
    /// Names bound to `enum` and to its `Enum`, `IntEnum` and `StrEnum`.
    enum_mods: HashSet<String>,
    enum_names: HashMap<String, String>,
    /// Module-level enum classes whose members' IDs the source settles: member name
    /// to the member's value (`Color.RED` is an alias's canonical member).
    enums: HashMap<String, HashMap<String, PyValue>>,
    /// Module-level classes deriving from an enum class.
    enum_classes: HashSet<String>,
    /// Names bound to `typing.NamedTuple`.
    named_tuples: HashSet<String>,
    /// Names bound to `typing.TypedDict`, and the module's classes deriving from it.
    typed_dicts: HashSet<String>,
    /// The module's top-level statements as import runs them (see
    /// [`Ctx::flatten_module`]).
    flat: Vec<Node<'a>>,
}

/// Modules whose decorators return a plain function and apply no pytest marks.
/// Modules whose decorators keep a test what it is (same name, one item; arguments they
/// fill are not fixtures, as pytest reads the signature): unittest's skips, mock's
/// patches, hypothesis's `given`/`settings`/`example`/`seed`.
const SAFE_DECORATOR_MODULES: &[&str] = &["unittest", "unittest.mock", "mock", "hypothesis"];

/// Builtin callables whose result has no parametrize ID of its own (`argname + index`).
const BUILTIN_CONTAINERS: &[&str] = &[
    "dict",
    "list",
    "set",
    "frozenset",
    "tuple",
    "bytearray",
    "object",
];

/// Builtin classes a test module's class may derive from (besides `object`).
const BUILTIN_CLASSES: &[&str] = &[
    "dict",
    "list",
    "set",
    "frozenset",
    "tuple",
    "str",
    "bytes",
    "bytearray",
    "int",
    "float",
    "complex",
    "type",
    "property",
    "staticmethod",
    "classmethod",
    "BaseException",
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "EnvironmentError",
    "EOFError",
    "IOError",
    "ImportError",
    "IndexError",
    "KeyError",
    "LookupError",
    "MemoryError",
    "NameError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "TypeError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "ValueError",
    "ZeroDivisionError",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "PendingDeprecationWarning",
    "RuntimeWarning",
    "FutureWarning",
];

const BUILTIN_NAMED: &[&str] = &[
    "int",
    "str",
    "float",
    "bool",
    "bytes",
    "list",
    "dict",
    "set",
    "tuple",
    "object",
    "type",
    "len",
    "print",
    "repr",
    "complex",
    "frozenset",
    "bytearray",
    "range",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "RuntimeError",
    "AttributeError",
    "ZeroDivisionError",
    "NotImplementedError",
    "OSError",
    "StopIteration",
    "AssertionError",
    "ArithmeticError",
    "LookupError",
    "OverflowError",
    "ImportError",
    "BaseException",
    "abs",
    "min",
    "max",
    "sum",
    "sorted",
    "reversed",
    "id",
    "hash",
    "iter",
    "next",
    "callable",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "EOFError",
    "FileNotFoundError",
    "FileExistsError",
    "PermissionError",
    "TimeoutError",
    "ConnectionError",
    "BrokenPipeError",
    "IsADirectoryError",
    "NotADirectoryError",
    "InterruptedError",
    "ChildProcessError",
    "ProcessLookupError",
    "BlockingIOError",
    "ModuleNotFoundError",
    "NameError",
    "UnboundLocalError",
    "RecursionError",
    "MemoryError",
    "BufferError",
    "EnvironmentError",
    "IOError",
    "ReferenceError",
    "SyntaxError",
    "IndentationError",
    "SystemError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeTranslateError",
    "FloatingPointError",
    "StopAsyncIteration",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "PendingDeprecationWarning",
    "RuntimeWarning",
    "SyntaxWarning",
    "FutureWarning",
    "ImportWarning",
    "UnicodeWarning",
    "BytesWarning",
    "ResourceWarning",
    "all",
    "any",
    "bin",
    "chr",
    "ord",
    "divmod",
    "enumerate",
    "filter",
    "map",
    "zip",
    "getattr",
    "setattr",
    "hasattr",
    "delattr",
    "isinstance",
    "issubclass",
    "round",
    "pow",
    "open",
    "format",
    "vars",
    "dir",
    "memoryview",
    "slice",
    "super",
    "property",
    "staticmethod",
    "classmethod",
    "hex",
    "oct",
    "ascii",
    "eval",
    "exec",
    "compile",
    "globals",
    "locals",
];

impl<'a> Ctx<'a> {
    fn new(src: &'a [u8]) -> Self {
        Self {
            src,
            seeds: &NO_SEEDS,
            from_imports: HashMap::new(),
            wanted: std::cell::RefCell::new(HashSet::new()),
            pytest_mods: HashSet::new(),
            mark_objs: HashSet::new(),
            fixture_fns: HashSet::new(),
            param_fns: HashSet::new(),
            outcome_fns: HashSet::new(),
            unittest_mods: HashSet::new(),
            testcase_names: HashSet::new(),
            consts: HashMap::new(),
            unstable: HashSet::new(),
            root: None,
            mutated: std::cell::OnceCell::new(),
            local_defs: HashSet::new(),
            classes: HashMap::new(),
            class_frames: Vec::new(),
            safe_decorator_roots: HashSet::new(),
            generator_defs: HashSet::new(),
            relied: std::cell::RefCell::new(HashSet::new()),
            importorskips: std::cell::RefCell::new(Vec::new()),
            import_warning: std::cell::RefCell::new(None),
            star_import: false,
            untaken: Vec::new(),
            import_bound: HashSet::new(),
            sys_mods: HashSet::new(),
            typing_mods: HashSet::new(),
            type_checking: HashSet::new(),
            python: PyVersion::MIN,
            platform: Platform::Unknown,
            implementation: Implementation::Unknown,
            os_mods: HashSet::new(),
            platform_mods: HashSet::new(),
            sys_platform_names: HashSet::new(),
            conditions: HashMap::new(),
            enum_mods: HashSet::new(),
            enum_names: HashMap::new(),
            enums: HashMap::new(),
            enum_classes: HashSet::new(),
            named_tuples: HashSet::new(),
            typed_dicts: HashSet::new(),
            flat: Vec::new(),
        }
    }

    fn text(&self, n: Node<'_>) -> &'a str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    /// First pass over the module: aliases and constants, so decorators that refer to
    /// names defined anywhere at module level resolve.
    fn scan_module(&mut self, root: Node<'a>) {
        self.root = Some(root);
        self.flat = self.flatten_module(root);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for stmt in self.flat.clone() {
            match stmt.kind() {
                "import_statement" | "import_from_statement" => self.scan_import(stmt),
                "expression_statement" => {
                    if let Some(a) = stmt.named_child(0) {
                        if a.kind() == "assignment" {
                            if let (Some(l), Some(r)) = (field(a, "left"), field(a, "right")) {
                                if l.kind() == "identifier" {
                                    let name = self.text(l).to_string();
                                    *counts.entry(name.clone()).or_default() += 1;
                                    // `mark = pytest.mark`: `mark.X` is a mark too.
                                    if let Some([p, m]) = attr_chain(r, self.src).as_deref() {
                                        if m == "mark" && self.pytest_mods.contains(p) {
                                            self.mark_objs.insert(name.clone());
                                        }
                                    }
                                    self.consts.insert(name, r);
                                }
                            }
                        } else if a.kind() == "augmented_assignment" {
                            if let Some(l) = field(a, "left") {
                                self.unstable.insert(self.text(l).to_string());
                            }
                        } else if a.kind() == "call" {
                            // `NAME.append(...)` and friends mutate a constant in place.
                            if let Some(f) = field(a, "function") {
                                if f.kind() == "attribute" {
                                    if let Some(obj) = field(f, "object") {
                                        self.unstable.insert(self.text(obj).to_string());
                                    }
                                }
                            }
                        }
                    }
                }
                "function_definition" | "class_definition" | "decorated_definition" => {
                    if let Some(def) = definition_of(stmt) {
                        if let Some(n) = field(def, "name") {
                            let name = self.text(n).to_string();
                            *counts.entry(name.clone()).or_default() += 1;
                            self.local_defs.insert(name);
                        }
                    }
                }
                // A name bound under a condition holds no known constant.
                "if_statement" | "try_statement" | "with_statement" | "for_statement"
                | "while_statement" | "match_statement" => {
                    let mut stack = vec![stmt];
                    while let Some(n) = stack.pop() {
                        match n.kind() {
                            "function_definition" | "class_definition" | "lambda" => continue,
                            "assignment" | "augmented_assignment" => {
                                if let Some(l) = field(n, "left") {
                                    self.unstable.extend(identifiers_in(l, self.src));
                                }
                            }
                            "aliased_import" => {
                                if let Some(a) = field(n, "alias") {
                                    self.unstable.insert(self.text(a).to_string());
                                }
                            }
                            "dotted_name"
                                if n.parent().is_some_and(|p| {
                                    matches!(p.kind(), "import_statement" | "import_from_statement")
                                }) =>
                            {
                                let name = self.text(n);
                                self.unstable
                                    .insert(name.split('.').next().unwrap_or(name).to_string());
                            }
                            _ => {}
                        }
                        let mut c = n.walk();
                        stack.extend(n.named_children(&mut c));
                    }
                }
                _ => {}
            }
        }
        for (name, c) in counts {
            if c > 1 {
                self.unstable.insert(name);
            }
        }
    }

    fn scan_import(&mut self, stmt: Node<'a>) {
        let mut c = stmt.walk();
        if stmt
            .named_children(&mut c)
            .any(|n| n.kind() == "wildcard_import")
        {
            self.star_import = true;
        }
        if stmt.kind() == "import_statement" {
            let mut c = stmt.walk();
            for n in stmt.children_by_field_name("name", &mut c) {
                let (full, alias) = self.import_name(n);
                self.import_bound.insert(
                    alias
                        .clone()
                        .unwrap_or_else(|| full.split('.').next().unwrap_or("").to_string()),
                );
                if SAFE_DECORATOR_MODULES.contains(&full.as_str()) {
                    let root = full.split('.').next().unwrap_or("").to_string();
                    self.safe_decorator_roots
                        .insert(alias.clone().unwrap_or(root));
                }
                match full.as_str() {
                    "pytest" => {
                        self.pytest_mods.insert(alias.unwrap_or(full));
                    }
                    "sys" => {
                        self.sys_mods.insert(alias.unwrap_or(full));
                    }
                    "os" => {
                        self.os_mods.insert(alias.unwrap_or(full));
                    }
                    "platform" => {
                        self.platform_mods.insert(alias.unwrap_or(full));
                    }
                    "enum" => {
                        self.enum_mods.insert(alias.unwrap_or(full));
                    }
                    "typing" | "typing_extensions" => {
                        self.typing_mods.insert(alias.unwrap_or(full));
                    }
                    "unittest" => {
                        self.unittest_mods.insert(alias.unwrap_or(full));
                    }
                    _ => {}
                }
            }
        } else {
            let module = field(stmt, "module_name")
                .map(|m| self.text(m).to_string())
                .unwrap_or_default();
            let mut c = stmt.walk();
            for n in stmt.children_by_field_name("name", &mut c) {
                let (name, alias) = self.import_name(n);
                let bound = alias.unwrap_or_else(|| name.clone());
                self.import_bound.insert(bound.clone());
                self.from_imports
                    .insert(bound.clone(), (module.clone(), name.clone()));
                if SAFE_DECORATOR_MODULES.contains(&module.as_str()) {
                    self.safe_decorator_roots.insert(bound.clone());
                }
                match (module.as_str(), name.as_str()) {
                    ("pytest", "mark") | ("_pytest", "mark") => {
                        self.mark_objs.insert(bound);
                    }
                    ("pytest", "fixture") => {
                        self.fixture_fns.insert(bound);
                    }
                    ("pytest", "param") => {
                        self.param_fns.insert(bound);
                    }
                    ("pytest", "skip" | "importorskip" | "exit" | "fail" | "xfail") => {
                        self.outcome_fns.insert(bound);
                    }
                    ("unittest", "TestCase" | "IsolatedAsyncioTestCase") => {
                        self.testcase_names.insert(bound);
                    }
                    ("typing" | "typing_extensions", "TYPE_CHECKING") => {
                        self.type_checking.insert(bound);
                    }
                    ("sys", "platform") => {
                        self.sys_platform_names.insert(bound);
                    }
                    ("enum", "Enum" | "IntEnum" | "StrEnum" | "unique" | "auto") => {
                        self.enum_names.insert(bound, name.clone());
                    }
                    ("typing" | "typing_extensions", "NamedTuple") => {
                        self.named_tuples.insert(bound);
                    }
                    ("typing" | "typing_extensions", "TypedDict") => {
                        self.typed_dicts.insert(bound);
                    }
                    _ => {}
                }
            }
        }
    }

    /// What an import statement, read in order, makes of the condition constants: each
    /// name it binds has the value read from the other module's source (`seeds`), or
    /// none.
    fn import_conditions(&mut self, stmt: Node<'a>) {
        let mut c = stmt.walk();
        let module = (stmt.kind() == "import_from_statement")
            .then(|| field(stmt, "module_name").map(|m| self.text(m).to_string()))
            .flatten();
        for n in stmt.children_by_field_name("name", &mut c) {
            let (name, alias) = self.import_name(n);
            let Some(module) = &module else {
                // `import a.b` binds `a`; `import a.b as c` binds `c`.
                let bound =
                    alias.unwrap_or_else(|| name.split('.').next().unwrap_or("").to_string());
                self.conditions.remove(&bound);
                continue;
            };
            let bound = alias.unwrap_or_else(|| name.clone());
            match self.seeds.get(&(module.clone(), name)) {
                Some(v) => self.conditions.insert(bound, Some(*v)),
                None => self.conditions.remove(&bound),
            };
        }
    }

    /// `(dotted name, alias)` of an import clause.
    fn import_name(&self, n: Node<'_>) -> (String, Option<String>) {
        if n.kind() == "aliased_import" {
            let name = field(n, "name").map(|x| self.text(x).to_string());
            let alias = field(n, "alias").map(|x| self.text(x).to_string());
            (name.unwrap_or_default(), alias)
        } else {
            (self.text(n).to_string(), None)
        }
    }

    fn build_module(&mut self, root: Node<'a>, out: &mut Outline) {
        let mut order: Vec<Binding> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let _ = root;
        // The module's own functions bound so far: a call to one runs its body at import.
        let mut defs: HashMap<String, Callee<'a>> = HashMap::new();
        // Most modules never name `__all__`: no statement needs the walk for it.
        let names_all = self.src.windows(7).any(|w| w == b"__all__");
        // `collect_ignore`/`collect_ignore_glob` bound to a literal list so far.
        let mut known_lists: std::collections::HashSet<&'static str> =
            std::collections::HashSet::new();
        for stmt in self.flat.clone() {
            if let Some(why) = self.import_time_outcome(stmt, &defs) {
                // `pytest.skip(allow_module_level=True)`, `importorskip`, a `raise`: what
                // is collected depends on running the module.
                out.import_hazard.get_or_insert_with(|| why.clone());
                out.uncertain.push(why);
            }
            if let Some(name) = self.changes_ignore_list(stmt) {
                // `collect_ignore.extend([...])` (under a decided `if`, it is in `flat`)
                // of a list the module made: the list pytest reads. Anything else (an
                // undecided `if`, a computed value) is only known by running the conftest.
                match self
                    .ignore_list_update(stmt)
                    .filter(|(n, _)| known_lists.contains(n))
                {
                    Some(("collect_ignore", more)) => out.collect_ignore.extend(more),
                    Some((_, more)) => out.collect_ignore_glob.extend(more),
                    None => {
                        out.uncertain
                            .push(format!("computed {name} (line {})", line_of(stmt)));
                        out.dynamic_ignore = true;
                    }
                }
            }
            for name in ["collect_ignore", "collect_ignore_glob"] {
                if let Some(right) = self.plain_assignment_to(stmt, name) {
                    if self.str_list(right).is_some() {
                        known_lists.insert(name);
                    } else {
                        known_lists.remove(name);
                    }
                }
            }
            if let Some(why) = self.class_mutation(stmt, &defs) {
                // `setattr(TestX, "test_y", f)`, `TestX.test_y = f`, `del Base.test_z`:
                // the class pytest sees is not the class statement.
                out.uncertain.push(why);
            }
            self.module_statement(stmt, out, &mut order, &mut index);
            self.track_function(stmt, &mut defs);
            if names_all && self.mentions_outside_functions(stmt, "__all__") {
                out.dunder_all = Some(
                    self.plain_assignment_to(stmt, "__all__")
                        .and_then(|right| self.str_list(right)),
                );
            }
        }
        out.bindings = order;
    }

    /// Import-time code in `stmt` (through calls of the module's own functions) that
    /// changes a class after its statement: `setattr`/`delattr`, or an assignment to or
    /// `del` of an attribute of a class the module defined above.
    fn class_mutation(&self, stmt: Node<'a>, defs: &HashMap<String, Callee<'a>>) -> Option<String> {
        // Each node with whether it is in a function body called from here: there any
        // attribute of a name may be a class's (`def add(cls): cls.test_x = f`).
        let mut stack = vec![(stmt, false)];
        let mut entered: HashSet<usize> = HashSet::new();
        // (A function the module defined above counts too: `test_x.__test__ = False`,
        // or any attribute, which becomes one of the test's keywords.)
        let class_attr = |t: Node<'a>, in_call: bool| {
            t.kind() == "attribute"
                && field(t, "object").is_some_and(|o| {
                    o.kind() == "identifier"
                        && (in_call
                            || self.classes.contains_key(self.text(o))
                            || matches!(defs.get(self.text(o)), Some(Callee::Function(_))))
                })
        };
        // The attribute targets of an assignment's left side or a `del`.
        let attr_target = |targets: Vec<Node<'a>>, in_call: bool| {
            let mut targets = targets;
            while let Some(t) = targets.pop() {
                if class_attr(t, in_call) {
                    return Some(t);
                }
                if matches!(
                    t.kind(),
                    "pattern_list"
                        | "tuple_pattern"
                        | "list_pattern"
                        | "expression_list"
                        | "tuple"
                        | "list"
                ) {
                    let mut c = t.walk();
                    targets.extend(t.named_children(&mut c));
                }
            }
            None
        };
        while let Some((n, in_call)) = stack.pop() {
            match n.kind() {
                "function_definition" | "lambda" | "class_definition" => continue,
                "decorated_definition" => {
                    let mut c = n.walk();
                    stack.extend(
                        n.named_children(&mut c)
                            .filter(|x| x.kind() == "decorator")
                            .map(|x| (x, in_call)),
                    );
                    continue;
                }
                "call" => {
                    if let Some(f) = field(n, "function").filter(|f| f.kind() == "identifier") {
                        let name = self.text(f);
                        if matches!(name, "setattr" | "delattr") {
                            return Some(format!("`{name}` at import time (line {})", line_of(n)));
                        }
                        // A class's constructor sets attributes of the instance it makes,
                        // not of a class: only functions are followed.
                        if let Some(Callee::Function(body)) = defs.get(name) {
                            if entered.insert(body.start_byte()) {
                                stack.push((*body, true));
                            }
                        }
                    }
                }
                "assignment" | "augmented_assignment" => {
                    if let Some(t) = attr_target(field(n, "left").into_iter().collect(), in_call) {
                        return Some(format!(
                            "attribute `{}` set after its definition (line {})",
                            self.text(t),
                            line_of(n)
                        ));
                    }
                }
                "delete_statement" => {
                    let mut c = n.walk();
                    let targets: Vec<Node<'a>> = n.named_children(&mut c).collect();
                    if let Some(t) = attr_target(targets.clone(), in_call) {
                        return Some(format!(
                            "attribute `{}` deleted after its definition (line {})",
                            self.text(t),
                            line_of(n)
                        ));
                    }
                    // `del test_x` of a function or class the module defined above: the
                    // module pytest collects no longer has it.
                    let mut names = targets;
                    while let Some(t) = names.pop() {
                        if t.kind() == "identifier" {
                            let name = self.text(t);
                            if defs.contains_key(name) || self.classes.contains_key(name) {
                                return Some(format!("`{name}` deleted (line {})", line_of(n)));
                            }
                        } else if matches!(
                            t.kind(),
                            "expression_list"
                                | "tuple"
                                | "list"
                                | "pattern_list"
                                | "tuple_pattern"
                                | "list_pattern"
                                | "parenthesized_expression"
                        ) {
                            let mut c = t.walk();
                            names.extend(t.named_children(&mut c));
                        }
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c).map(|x| (x, in_call)));
        }
        None
    }

    /// Whether `name` appears in `stmt` at module level: outside function bodies,
    /// lambdas and class bodies (which bind their own names).
    fn mentions_outside_functions(&self, stmt: Node<'a>, name: &str) -> bool {
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "lambda" | "class_definition" => continue,
                "identifier" if self.text(n) == name => return true,
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        false
    }

    /// The value of `stmt` when it is exactly `name = value`.
    fn plain_assignment_to(&self, stmt: Node<'a>, name: &str) -> Option<Node<'a>> {
        let a = stmt
            .named_child(0)
            .filter(|a| stmt.kind() == "expression_statement" && a.kind() == "assignment")?;
        let left = field(a, "left")?;
        (left.kind() == "identifier" && self.text(left) == name)
            .then(|| field(a, "right"))
            .flatten()
    }

    /// Keep `defs` the module's plain functions by name as of after `stmt`: a `def`
    /// binds its body (decorated ones are other objects), any other binding of the
    /// name forgets it.
    fn track_function(&self, stmt: Node<'a>, defs: &mut HashMap<String, Callee<'a>>) {
        if stmt.kind() == "function_definition" {
            if let (Some(name), Some(body)) = (field(stmt, "name"), field(stmt, "body")) {
                defs.insert(self.text(name).to_string(), Callee::Function(body));
            }
            return;
        }
        if stmt.kind() == "class_definition" {
            if let Some(name) = field(stmt, "name") {
                match self.plain_constructors(stmt) {
                    Some(ctors) => defs.insert(self.text(name).to_string(), Callee::Class(ctors)),
                    None => defs.remove(self.text(name)),
                };
            }
            return;
        }
        if defs.is_empty() {
            return;
        }
        if let Some(name) = definition_of(stmt).and_then(|d| field(d, "name")) {
            defs.remove(self.text(name));
            return;
        }
        // Any other statement binding the name (an assignment, an import, a loop or
        // `with` target, `del`, `global`), anywhere in it outside nested scopes.
        let mut stack = vec![stmt];
        let mut targets: Vec<Node<'a>> = Vec::new();
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "class_definition" => {
                    targets.extend(field(n, "name"));
                    continue;
                }
                "lambda" => continue,
                "import_statement"
                | "import_from_statement"
                | "future_import_statement"
                | "delete_statement"
                | "global_statement"
                | "nonlocal_statement" => {
                    targets.push(n);
                    continue;
                }
                "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                    targets.extend(field(n, "left"))
                }
                "named_expression" => targets.extend(field(n, "name")),
                "as_pattern" => targets.extend(field(n, "alias")),
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        while let Some(n) = targets.pop() {
            if n.kind() == "identifier" {
                defs.remove(self.text(n));
            }
            let mut c = n.walk();
            targets.extend(n.named_children(&mut c));
        }
    }

    /// The bodies of `__init__` and `__new__` of a class statement whose instances only
    /// those make: no base but `object`, no metaclass or other class keyword, and
    /// constructors that are plain functions. `None` for any other class.
    fn plain_constructors(&self, class: Node<'a>) -> Option<Vec<Node<'a>>> {
        if let Some(supers) = field(class, "superclasses") {
            let mut c = supers.walk();
            let only_object = supers
                .named_children(&mut c)
                .all(|b| b.kind() == "identifier" && self.text(b) == "object");
            if !only_object {
                return None;
            }
        }
        let body = field(class, "body")?;
        let mut out = Vec::new();
        let mut c = body.walk();
        for stmt in body.named_children(&mut c) {
            let def = match stmt.kind() {
                "function_definition" => stmt,
                "decorated_definition" => match definition_of(stmt) {
                    Some(d) if d.kind() == "function_definition" => d,
                    _ => continue,
                },
                _ => continue,
            };
            let Some(name) = field(def, "name").map(|n| self.text(n)) else {
                continue;
            };
            if matches!(name, "__init__" | "__new__") {
                if stmt.kind() == "decorated_definition" {
                    return None;
                }
                out.extend(field(def, "body"));
            }
        }
        Some(out)
    }

    /// The module's top-level statements as import runs them: the branch a top-level
    /// `if` takes in place of the `if` when its conditions are decided here (the
    /// interpreter's version, type checking), recursively. Statements are read in
    /// order: the imports and condition constants above an `if` decide it.
    fn flatten_module(&mut self, root: Node<'a>) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        let mut c = root.walk();
        for stmt in root.named_children(&mut c) {
            self.push_statement(stmt, &mut out, 0);
        }
        out
    }

    fn push_statement(&mut self, stmt: Node<'a>, out: &mut Vec<Node<'a>>, depth: usize) {
        match stmt.kind() {
            "import_statement" | "import_from_statement" => {
                self.scan_import(stmt);
                self.import_conditions(stmt);
            }
            "expression_statement" => {
                let assigned = stmt
                    .named_child(0)
                    .filter(|a| a.kind() == "assignment")
                    .and_then(|a| Some((field(a, "left")?, field(a, "right")?)));
                if let Some((l, r)) = assigned {
                    for name in identifiers_in(l, self.src) {
                        let mut value = (l.kind() == "identifier")
                            .then(|| self.static_condition(r))
                            .flatten();
                        // Class bodies read the module's final constants: a name given
                        // two different values decides nothing.
                        if self.conditions.get(&name).is_some_and(|old| *old != value) {
                            value = None;
                        }
                        self.conditions.insert(name, value);
                    }
                }
            }
            _ => {}
        }
        if stmt.kind() == "if_statement" && depth < 8 {
            if let Some(branch) = self.taken_branch(stmt) {
                let end = u32::try_from(stmt.end_position().row + 1).unwrap_or(u32::MAX);
                match branch {
                    Some(block) => {
                        let b_end = u32::try_from(block.end_position().row + 1).unwrap_or(0);
                        self.untaken
                            .push((line_of(stmt), line_of(block).saturating_sub(1)));
                        self.untaken.push((b_end.saturating_add(1), end));
                    }
                    None => self.untaken.push((line_of(stmt), end)),
                }
                if let Some(block) = branch {
                    let mut c = block.walk();
                    let stmts: Vec<Node<'a>> = block.named_children(&mut c).collect();
                    for s in stmts {
                        self.push_statement(s, out, depth + 1);
                    }
                }
                return;
            }
            // Undecided: what its branches bind holds no known condition.
            let mut stack = vec![stmt];
            while let Some(n) = stack.pop() {
                if matches!(n.kind(), "assignment" | "augmented_assignment") {
                    if let Some(l) = field(n, "left") {
                        for name in identifiers_in(l, self.src) {
                            self.conditions.insert(name, None);
                        }
                    }
                }
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
        }
        out.push(stmt);
    }

    /// A class body's statements as its execution runs them: the branch of an `if`
    /// whose conditions are decided here (the interpreter's version, module constants)
    /// in place of the `if`, recursively; an undecided `if` stays as it is.
    fn class_statements(&self, block: Node<'a>, out: &mut Vec<Node<'a>>, depth: usize) {
        let mut c = block.walk();
        for stmt in block.named_children(&mut c) {
            if stmt.kind() == "if_statement" && depth < 8 {
                if let Some(branch) = self.taken_branch(stmt) {
                    if let Some(b) = branch {
                        self.class_statements(b, out, depth + 1);
                    }
                    continue;
                }
            }
            out.push(stmt);
        }
    }

    /// The block a top-level `if` runs when every condition up to the one that holds
    /// is decided here: `Some(None)` when none holds and there is no `else`.
    fn taken_branch(&self, stmt: Node<'a>) -> Option<Option<Node<'a>>> {
        if self.static_condition(field(stmt, "condition")?)? {
            return Some(field(stmt, "consequence"));
        }
        let mut c = stmt.walk();
        for alt in stmt.children_by_field_name("alternative", &mut c) {
            match alt.kind() {
                "elif_clause" => {
                    if self.static_condition(field(alt, "condition")?)? {
                        return Some(field(alt, "consequence"));
                    }
                }
                "else_clause" => return Some(field(alt, "body")),
                _ => return None,
            }
        }
        Some(None)
    }

    /// The value of a condition this module's source decides: `TYPE_CHECKING` (false
    /// when running), comparisons of `sys.version_info` (or its first items) with the
    /// interpreter's version, `not`/`and`/`or` of those, and module constants bound
    /// once to such a condition.
    fn static_condition(&self, n: Node<'a>) -> Option<bool> {
        let n = unparen(n);
        match n.kind() {
            "identifier" => {
                let name = self.text(n);
                if let Some(value) = self.conditions.get(name) {
                    return *value;
                }
                if self.type_checking.contains(name) {
                    return Some(false);
                }
                if let Some(key) = self.from_imports.get(name) {
                    self.wanted.borrow_mut().insert(key.clone());
                }
                None
            }
            "attribute" => {
                let chain = attr_chain(n, self.src)?;
                match chain.as_slice() {
                    [m, t] if t == "TYPE_CHECKING" && self.typing_mods.contains(m) => Some(false),
                    _ => None,
                }
            }
            "true" => Some(true),
            "false" => Some(false),
            "not_operator" => self.static_condition(field(n, "argument")?).map(|b| !b),
            "boolean_operator" => {
                let op = field(n, "operator").map(|o| self.text(o))?;
                let l = self.static_condition(field(n, "left")?);
                let r = self.static_condition(field(n, "right")?);
                match (op, l, r) {
                    ("and", Some(false), _) | ("and", _, Some(false)) => Some(false),
                    ("and", Some(true), Some(true)) => Some(true),
                    ("or", Some(true), _) | ("or", _, Some(true)) => Some(true),
                    ("or", Some(false), Some(false)) => Some(false),
                    _ => None,
                }
            }
            "comparison_operator" => self
                .version_comparison(n)
                .or_else(|| self.main_guard(n))
                .or_else(|| self.platform_comparison(n)),
            "call" => self.platform_prefix(n),
            _ => None,
        }
    }

    /// The value of `sys.platform`, `os.name` or `platform.system()` when `n` reads one
    /// of them and the platform is known; of `platform.python_implementation()` or
    /// `sys.implementation.name` when the implementation is.
    fn platform_value(&self, n: Node<'a>) -> Option<&'static str> {
        let n = unparen(n);
        if n.kind() == "identifier" {
            return self
                .sys_platform_names
                .contains(self.text(n))
                .then(|| self.platform.sys_platform())
                .flatten();
        }
        if n.kind() == "call" {
            // `platform.system()`, without arguments.
            let args = call_arguments(n)?;
            let chain = attr_chain(field(n, "function")?, self.src)?;
            return match (chain.as_slice(), args.is_empty()) {
                ([m, f], true) if f == "system" && self.platform_mods.contains(m) => {
                    self.platform.system()
                }
                ([m, f], true)
                    if f == "python_implementation" && self.platform_mods.contains(m) =>
                {
                    self.implementation.python_implementation()
                }
                _ => None,
            };
        }
        match attr_chain(n, self.src)?.as_slice() {
            [m, v] if v == "platform" && self.sys_mods.contains(m) => self.platform.sys_platform(),
            [m, v] if v == "name" && self.os_mods.contains(m) => self.platform.os_name(),
            [m, i, v] if i == "implementation" && v == "name" && self.sys_mods.contains(m) => {
                self.implementation.name()
            }
            _ => None,
        }
    }

    /// A string literal's value, as [`Ctx::value`] decodes it (also `"a" "b"`; `None`
    /// for bytes, f-strings and names).
    fn str_literal(&self, n: Node<'a>) -> Option<String> {
        let n = unparen(n);
        if !matches!(n.kind(), "string" | "concatenated_string") {
            return None;
        }
        match self.value(n)? {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// String literals of a tuple, list or set display (a lone string: `None`).
    fn str_literals(&self, n: Node<'a>) -> Option<Vec<String>> {
        let n = unparen(n);
        if !matches!(n.kind(), "tuple" | "list" | "set") {
            return None;
        }
        let mut c = n.walk();
        n.named_children(&mut c)
            .map(|e| self.str_literal(e))
            .collect()
    }

    /// `sys.platform == "win32"`, `os.name != "nt"`, `platform.system() == "Linux"` (either
    /// side), `sys.platform in ("linux", "darwin")`, `"win" in sys.platform`.
    fn platform_comparison(&self, n: Node<'a>) -> Option<bool> {
        let (left, op, right) = self.binary_comparison(n)?;
        match op {
            "==" | "!=" => {
                let (value, other) = match self.platform_value(left) {
                    Some(v) => (v, right),
                    None => (self.platform_value(right)?, left),
                };
                let equal = self.str_literal(other)? == value;
                Some(if op == "==" { equal } else { !equal })
            }
            "in" | "not in" => {
                let found = match self.platform_value(left) {
                    Some(v) => self.str_literals(right)?.iter().any(|s| s == v),
                    None => {
                        let v = self.platform_value(right)?;
                        v.contains(self.str_literal(left)?.as_str())
                    }
                };
                Some(if op == "in" { found } else { !found })
            }
            _ => None,
        }
    }

    /// `sys.platform.startswith("win")` (or a tuple of prefixes), and `endswith`.
    fn platform_prefix(&self, n: Node<'a>) -> Option<bool> {
        let function = field(n, "function")?;
        if function.kind() != "attribute" {
            return None;
        }
        let method = self.text(field(function, "attribute")?);
        let value = self.platform_value(field(function, "object")?)?;
        let args = call_arguments(n)?;
        let [arg] = args.as_slice() else { return None };
        let affixes = match self.str_literal(*arg) {
            Some(one) => vec![one],
            None if unparen(*arg).kind() == "tuple" => self.str_literals(*arg)?,
            None => return None,
        };
        match method {
            "startswith" => Some(affixes.iter().any(|a| value.starts_with(a.as_str()))),
            "endswith" => Some(affixes.iter().any(|a| value.ends_with(a.as_str()))),
            _ => None,
        }
    }

    /// `__name__ == "__main__"` (either side, or `!=`): a module pytest imports is never
    /// `__main__`, so a script's entry point is not import-time code.
    fn main_guard(&self, n: Node<'a>) -> Option<bool> {
        let (left, op, right) = self.binary_comparison(n)?;
        let (left, right) = (unparen(left), unparen(right));
        let is_name = |x: &Node<'a>| x.kind() == "identifier" && self.text(*x) == "__name__";
        let is_main = |x: &Node<'a>| {
            x.kind() == "string" && matches!(self.text(*x), "\"__main__\"" | "'__main__'")
        };
        if !((is_name(&left) && is_main(&right)) || (is_main(&left) && is_name(&right))) {
            return None;
        }
        match op {
            "==" => Some(false),
            "!=" => Some(true),
            _ => None,
        }
    }

    /// `left <op> right` of a comparison with exactly one operator (`a < b < c` has two).
    fn binary_comparison(&self, n: Node<'a>) -> Option<(Node<'a>, &'a str, Node<'a>)> {
        let mut c = n.walk();
        let operands: Vec<Node<'a>> = n.named_children(&mut c).collect();
        let [left, right] = operands.as_slice() else {
            return None;
        };
        let mut oc = n.walk();
        let ops: Vec<&'a str> = n
            .children_by_field_name("operators", &mut oc)
            .map(|o| self.text(o))
            .collect();
        let [op] = ops.as_slice() else { return None };
        Some((*left, op, *right))
    }

    /// `sys.version_info <op> (3, N)`, `sys.version_info[0] <op> 3`,
    /// `sys.version_info[:2] <op> (3, N)`, `sys.version_info.major/minor <op> N`.
    fn version_comparison(&self, n: Node<'a>) -> Option<bool> {
        let (left, op, right) = self.binary_comparison(n)?;
        let (major, minor) = (i64::from(self.python.0), i64::from(self.python.1));
        // What the left side reads of the version: (major, minor) items, and how many.
        let is_version_info = |x: Node<'a>| {
            attr_chain(x, self.src).is_some_and(|ch| {
                matches!(ch.as_slice(), [m, v] if v == "version_info" && self.sys_mods.contains(m))
            })
        };
        // What the left side reads of the version: its known items, whether it is a
        // tuple, and whether the real value has items past the known ones.
        let left = unparen(left);
        let (mine, tuple, longer): (Vec<i64>, bool, bool) = if is_version_info(left) {
            (vec![major, minor], true, true)
        } else if left.kind() == "subscript" && field(left, "value").is_some_and(is_version_info) {
            let sub = field(left, "subscript")?;
            match (sub.kind(), self.text(sub).replace(' ', "").as_str()) {
                ("integer", "0") => (vec![major], false, false),
                ("integer", "1") => (vec![minor], false, false),
                ("slice", ":1" | "0:1") => (vec![major], true, false),
                ("slice", ":2" | "0:2") => (vec![major, minor], true, false),
                _ => return None,
            }
        } else if left.kind() == "attribute" {
            let obj = field(left, "object")?;
            if !is_version_info(obj) {
                return None;
            }
            match field(left, "attribute").map(|a| self.text(a))? {
                "major" => (vec![major], false, false),
                "minor" => (vec![minor], false, false),
                _ => return None,
            }
        } else {
            return None;
        };
        let right = unparen(right);
        let theirs: Vec<i64> = match right.kind() {
            "integer" => vec![int_literal(self.text(right))?.parse().ok()?],
            "tuple" => {
                let mut c = right.walk();
                right
                    .named_children(&mut c)
                    .map(|e| {
                        (e.kind() == "integer")
                            .then(|| int_literal(self.text(e)))
                            .flatten()
                            .and_then(|v| v.parse::<i64>().ok())
                    })
                    .collect::<Option<Vec<i64>>>()?
            }
            _ => return None,
        };
        if tuple != (right.kind() == "tuple") {
            // A tuple against an int: no version test (`<` raises, `==` is false).
            return None;
        }
        // Past the items known here (micro, release level), the answer may depend on
        // them: decided only when the known items already differ, or none follow.
        let known = mine.len().min(theirs.len());
        let ord = mine[..known].cmp(&theirs[..known]);
        let longer = longer || mine.len() > theirs.len();
        let ord = if ord == std::cmp::Ordering::Equal {
            match (longer, theirs.len() > known) {
                (true, false) => std::cmp::Ordering::Greater,
                (false, false) => std::cmp::Ordering::Equal,
                _ => return None,
            }
        } else {
            ord
        };
        use std::cmp::Ordering::{Equal, Greater, Less};
        Some(match op {
            "<" => ord == Less,
            "<=" => ord != Greater,
            ">" => ord == Greater,
            ">=" => ord != Less,
            "==" => ord == Equal,
            "!=" => ord != Equal,
            _ => return None,
        })
    }

    /// `collect_ignore.extend([...])`, `.append("...")` or `+= [...]` (or the same of
    /// `collect_ignore_glob`) with literal strings: the list and what it gains.
    fn ignore_list_update(&self, stmt: Node<'a>) -> Option<(&'static str, Vec<String>)> {
        const NAMES: [&str; 2] = ["collect_ignore", "collect_ignore_glob"];
        if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
            return None;
        }
        let e = stmt.named_child(0)?;
        let list = |n: Node<'a>| -> Option<&'static str> {
            let text = self.text(n);
            (n.kind() == "identifier")
                .then(|| NAMES.iter().copied().find(|x| *x == text))
                .flatten()
        };
        match e.kind() {
            "call" => {
                let f = field(e, "function").filter(|f| f.kind() == "attribute")?;
                let name = list(field(f, "object")?)?;
                let args = field(e, "arguments").filter(|a| a.kind() == "argument_list")?;
                let mut c = args.walk();
                let args: Vec<Node<'a>> = args
                    .named_children(&mut c)
                    .filter(|a| a.kind() != "comment")
                    .collect();
                let [arg] = args[..] else { return None };
                match self.text(field(f, "attribute")?) {
                    "extend" => Some((name, self.str_list(arg)?)),
                    "append" => match self.value(arg)? {
                        PyValue::Str(s) => Some((name, vec![s])),
                        _ => None,
                    },
                    _ => None,
                }
            }
            "augmented_assignment" => {
                let name = list(field(e, "left")?)?;
                (self.text(field(e, "operator")?) == "+=")
                    .then(|| Some((name, self.str_list(field(e, "right")?)?)))
                    .flatten()
            }
            _ => None,
        }
    }

    /// Whether a top-level statement touches `collect_ignore`/`collect_ignore_glob` other
    /// than by the plain assignment [`Self::module_statement`] reads (function bodies
    /// aside: they run when called, not on import). The name it touches.
    fn changes_ignore_list(&self, stmt: Node<'a>) -> Option<&'static str> {
        const NAMES: [&str; 2] = ["collect_ignore", "collect_ignore_glob"];
        let plain = stmt.kind() == "expression_statement"
            && stmt.named_child(0).is_some_and(|a| {
                a.kind() == "assignment"
                    && field(a, "left")
                        .is_some_and(|l| l.kind() == "identifier" && NAMES.contains(&self.text(l)))
            });
        if plain {
            // The value of `collect_ignore = [...]` is judged where it is read.
            return None;
        }
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "lambda" => continue,
                "identifier" => {
                    if let Some(name) = NAMES.iter().find(|x| **x == self.text(n)) {
                        return Some(name);
                    }
                }
                _ => {
                    let mut c = n.walk();
                    stack.extend(n.named_children(&mut c));
                }
            }
        }
        None
    }

    fn bind(order: &mut Vec<Binding>, index: &mut HashMap<String, usize>, b: Binding) {
        // Python dicts keep the position of the first binding; the value is the last one.
        if let Some(&i) = index.get(&b.name) {
            order[i] = b;
        } else {
            index.insert(b.name.clone(), order.len());
            order.push(b);
        }
    }

    fn module_statement(
        &mut self,
        stmt: Node<'a>,
        out: &mut Outline,
        order: &mut Vec<Binding>,
        index: &mut HashMap<String, usize>,
    ) {
        match stmt.kind() {
            "function_definition" | "decorated_definition" | "class_definition" => {
                let Some(b) = self.definition(stmt, false, &mut out.uncertain) else {
                    return;
                };
                if let BindingKind::Function(f) = &b.kind {
                    // A `pytest_configure` that only registers markers changes nothing
                    // a run shows once discovery knows them (below): not a hook to run.
                    let inert = b.name == "pytest_configure"
                        && definition_of(stmt).is_some_and(|d| self.only_registers_markers(d));
                    if b.name.starts_with("pytest_") && !inert {
                        out.hooks.push(b.name.clone());
                        if SESSION_OUTPUT_HOOKS.contains(&b.name.as_str())
                            && definition_of(stmt).is_some_and(|d| {
                                self.may_write_output(d) || self.sets_exit_status(d)
                            })
                        {
                            out.output_hooks.push(b.name.clone());
                        }
                        if b.name == "pytest_runtest_logreport" {
                            out.logreport_writes =
                                definition_of(stmt).is_none_or(|d| self.may_write_output(d));
                        }
                    }
                    if b.name == "pytest_generate_tests" {
                        out.generate_tests_guard =
                            definition_of(stmt).and_then(|d| self.fixturename_guards(d));
                    }
                    if b.name == "pytest_configure" {
                        if let Some(def) = definition_of(stmt) {
                            out.registered_markers
                                .extend(self.literal_marker_registrations(def));
                        }
                    }
                    if b.name == "pytest_load_initial_conftests" {
                        out.plain_early_hook_markers = definition_of(stmt)
                            .filter(|d| self.plain_early_hook(*d))
                            .map(|d| self.literal_marker_registrations(d));
                    }
                    if EARLY_HOOKS.contains(&b.name.as_str()) && out.sets_options.is_none() {
                        out.sets_options =
                            definition_of(stmt).and_then(|d| self.option_assignment(d));
                    }
                    if let Some(fx) = &f.decorators.fixture {
                        out.fixtures.push(fx.clone());
                    }
                }
                if let BindingKind::Class(c) = &b.kind {
                    let plain = plain_instances(c, &self.classes);
                    self.classes.insert(b.name.clone(), plain);
                    let def = definition_of(stmt);
                    let is_enum = def.is_some_and(|d| self.derives_from_enum(d));
                    if is_enum {
                        self.enum_classes.insert(b.name.clone());
                    } else {
                        self.enum_classes.remove(&b.name);
                    }
                    if def.is_some_and(|d| {
                        self.derives_from_named_tuple(d) && !self.valid_named_tuple(d)
                    }) {
                        // `NamedTuple` checks the fields when the class is made.
                        let why = format!(
                            "NamedTuple class `{}` with a body fastest does not check (line {})",
                            b.name, b.line
                        );
                        out.import_hazard.get_or_insert_with(|| why.clone());
                        out.uncertain.push(why);
                    }
                    if let Some(d) = def {
                        let (typed, others) = self.typed_dict_bases(d);
                        if typed > 0 {
                            self.typed_dicts.insert(b.name.clone());
                            if others > 0 {
                                // `TypedDict`'s metaclass raises TypeError.
                                let why = format!(
                                    "TypedDict class `{}` with another base (line {})",
                                    b.name, b.line
                                );
                                out.import_hazard.get_or_insert_with(|| why.clone());
                                out.uncertain.push(why);
                            }
                        } else {
                            self.typed_dicts.remove(&b.name);
                        }
                    }
                    match def.and_then(|d| self.enum_members(d, c, &b.name)) {
                        Some(members) => {
                            self.enums.insert(b.name.clone(), members);
                        }
                        None => {
                            self.enums.remove(&b.name);
                            // The enum metaclass checks the body when the class is
                            // made (sunder names, reused keys, values of a mixin):
                            // one not proved here is left to pytest's import.
                            if is_enum {
                                out.uncertain.push(format!(
                                    "enum class `{}` with a body fastest does not check (line {})",
                                    b.name, b.line
                                ));
                            }
                        }
                    }
                }
                Self::bind(order, index, b);
            }
            "expression_statement" => {
                let Some(a) = stmt.named_child(0) else { return };
                if a.kind() != "assignment" {
                    return;
                }
                let line = line_of(stmt);
                let (Some(left), Some(right)) = (field(a, "left"), field(a, "right")) else {
                    // Annotated assignment without a value binds nothing.
                    return;
                };
                if left.kind() != "identifier" {
                    // Tuple unpacking etc.: names we cannot see individually. Unpacked
                    // from a call (`Frozen_X, Source_X = make_tests(X)`), they may be
                    // TestCase subclasses, which pytest collects whatever their names.
                    if unpacks_computed(left, right) {
                        out.uncertain.push(format!(
                            "names unpacked from a computed value (line {line})"
                        ));
                    }
                    for name in identifiers_in(left, self.src) {
                        Self::bind(
                            order,
                            index,
                            Binding {
                                name,
                                line,
                                kind: BindingKind::Value {
                                    maybe_callable: true,
                                },
                            },
                        );
                    }
                    return;
                }
                let name = self.text(left).to_string();
                match name.as_str() {
                    "pytestmark" => out.pytestmark = self.pytestmark(right),
                    "__test__" => out.test_attr = Some(literal_bool(right).ok_or(())),
                    "pytest_plugins" => {
                        out.pytest_plugin_specs = if out.pytest_plugins {
                            None
                        } else {
                            self.plugin_specs(right)
                        };
                        out.pytest_plugins = true;
                        // pytester's `pytest_configure` registers its marker before
                        // any test module is imported.
                        if out
                            .pytest_plugin_specs
                            .as_ref()
                            .is_some_and(|s| s.iter().any(|p| p == "pytester"))
                        {
                            out.registered_markers
                                .push(super::PYTESTER_MARKER.to_string());
                        }
                    }
                    "collect_ignore" => match self.str_list(right) {
                        Some(v) => out.collect_ignore = v,
                        None => {
                            out.uncertain.push("computed collect_ignore".into());
                            out.dynamic_ignore = true;
                        }
                    },
                    "collect_ignore_glob" => match self.str_list(right) {
                        Some(v) => out.collect_ignore_glob = v,
                        None => {
                            out.uncertain.push("computed collect_ignore_glob".into());
                            out.dynamic_ignore = true;
                        }
                    },
                    // A hook bound to a function defined elsewhere
                    // (`pytest_x = helpers.pytest_x`, `Sybil(...).pytest()`).
                    hook if hook.starts_with("pytest_")
                        && matches!(right.kind(), "identifier" | "attribute" | "call") =>
                    {
                        imported_hook(out, hook);
                    }
                    _ => {}
                }
                let alias = match attr_chain(right, self.src).as_deref() {
                    Some([one])
                        if (one == "object" || BUILTIN_CLASSES.contains(&one.as_str()))
                            && !self.rebound(one) =>
                    {
                        Some(AliasOf::Builtin(one.clone()))
                    }
                    Some(chain) => Some(AliasOf::Name(chain.join("."))),
                    None => None,
                };
                match alias {
                    Some(a) => out.aliases.insert(name.clone(), a),
                    None => out.aliases.remove(&name),
                };
                let kind = if right.kind() == "lambda" {
                    BindingKind::Lambda
                } else {
                    BindingKind::Value {
                        maybe_callable: maybe_callable_value(right, self.src),
                    }
                };
                Self::bind(order, index, Binding { name, line, kind });
            }
            "import_statement" | "import_from_statement" => {
                let (module, bindings) = self.import_bindings(stmt, line_of(stmt));
                if bindings.is_empty() && stmt.kind() == "import_from_statement" {
                    // `from m import *`: unknown names, possibly tests.
                    out.uncertain.push(format!("star import from `{module}`"));
                    out.star_imports.push(module.clone());
                }
                for b in bindings {
                    // `from helpers import pytest_collection_modifyitems`: pluggy
                    // registers the module's functions named `pytest_*` wherever they
                    // were defined.
                    if stmt.kind() == "import_from_statement" && b.name.starts_with("pytest_") {
                        imported_hook(out, &b.name);
                    }
                    Self::bind(order, index, b);
                }
            }
            "future_import_statement" | "comment" | "pass_statement" => {}
            // Definitions under a condition exist or not at import time.
            "if_statement" | "try_statement" | "with_statement" | "for_statement"
            | "while_statement" | "match_statement"
                if contains_binding(stmt) =>
            {
                out.block_star_imports.extend(self.star_imports_in(stmt));
                // Hooks defined under a condition (pytest-isort's `if PYTEST_VER >=
                // (7, 0): def pytest_collect_file`) are hooks all the same; their
                // bodies are not read (as an imported hook's).
                for hook in self.hooks_in_block(stmt) {
                    imported_hook(out, &hook);
                }
                match self.plain_block_bindings(stmt) {
                    // Names bound under a condition (`try: import x` / `except
                    // ImportError: x = None`): each may hold anything, and none is a
                    // test, fixture or hook by its definition.
                    Some(bindings) => {
                        for b in bindings {
                            Self::bind(order, index, b);
                        }
                    }
                    None => out.uncertain.push(format!(
                        "definitions inside a top-level `{}` block (line {})",
                        stmt.kind().trim_end_matches("_statement"),
                        line_of(stmt)
                    )),
                }
            }
            _ => {}
        }
    }

    /// The `pytest_*` names a block binds at module level (not in its functions and
    /// classes): by `def`, by assignment, or by import.
    fn hooks_in_block(&self, block: Node<'a>) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![block];
        while let Some(n) = stack.pop() {
            let named: Vec<String> = match n.kind() {
                "function_definition" => field(n, "name")
                    .map(|i| self.text(i).to_string())
                    .into_iter()
                    .collect(),
                "class_definition" => continue,
                "assignment" => field(n, "left")
                    .filter(|l| l.kind() == "identifier")
                    .map(|l| self.text(l).to_string())
                    .into_iter()
                    .collect(),
                "import_from_statement" => self
                    .import_bindings(n, 0)
                    .1
                    .into_iter()
                    .map(|b| b.name)
                    .collect(),
                _ => Vec::new(),
            };
            if !named.is_empty() || n.kind() == "function_definition" {
                found.extend(named.into_iter().filter(|name| name.starts_with("pytest_")));
                continue;
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        found
    }

    /// The modules of the `from m import *` statements in a block (not in its functions
    /// and classes).
    fn star_imports_in(&self, block: Node<'a>) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![block];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "class_definition" => continue,
                "import_from_statement" => {
                    let mut c = n.walk();
                    if n.named_children(&mut c)
                        .any(|x| x.kind() == "wildcard_import")
                    {
                        found.push(
                            field(n, "module_name")
                                .map(|m| self.text(m).to_string())
                                .unwrap_or_default(),
                        );
                    }
                    continue;
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        found
    }

    /// An import statement's `from` module (empty for `import`) and a binding per name
    /// it binds (none for `from m import *`): `import a.b` binds `a`.
    fn import_bindings(&self, stmt: Node<'a>, line: u32) -> (String, Vec<Binding>) {
        let module = field(stmt, "module_name")
            .map(|m| self.text(m).to_string())
            .unwrap_or_default();
        let mut c = stmt.walk();
        let bindings = stmt
            .children_by_field_name("name", &mut c)
            .map(|n| {
                let (full, alias) = self.import_name(n);
                let bound =
                    alias.unwrap_or_else(|| full.split('.').next().unwrap_or("").to_string());
                let from = if stmt.kind() == "import_statement" {
                    full.clone()
                } else {
                    module.clone()
                };
                Binding {
                    name: bound,
                    line,
                    kind: BindingKind::Import {
                        module: from,
                        name: full,
                        plain: stmt.kind() == "import_statement",
                    },
                }
            })
            .collect();
        (module, bindings)
    }

    /// Whether a `def` or `class` under a top-level condition can be read as a value
    /// of unknown kind ([`Self::plain_block_bindings`]): an undecorated function, or a
    /// class whose bases are builtins (or none) and that takes no keywords (a
    /// metaclass).
    fn plain_helper(&self, def: Node<'a>) -> bool {
        // A test-like name keeps the block undecided here (an imported condition may
        // still decide it: `parse_outline_seeded`).
        let named_test =
            field(def, "name").is_none_or(|n| self.text(n).to_ascii_lowercase().contains("test"));
        if named_test {
            return false;
        }
        if def.kind() == "function_definition" {
            return true;
        }
        let Some(bases) = field(def, "superclasses") else {
            return true;
        };
        let mut c = bases.walk();
        let ok = bases.named_children(&mut c).all(|b| {
            b.kind() == "identifier" && {
                let name = self.text(b);
                (name == "object" || BUILTIN_CLASSES.contains(&name)) && !self.rebound(name)
            }
        });
        ok
    }

    /// The names a top-level compound statement binds when it binds them only by
    /// imports and plain assignments (no definition, no name pytest reads itself, no
    /// `globals()`-style binding): imports as imports, the rest as values of unknown
    /// kind. `None` when collection may depend on how the block runs.
    fn plain_block_bindings(&self, block: Node<'a>) -> Option<Vec<Binding>> {
        const SPECIAL: &[&str] = &[
            "pytestmark",
            "__test__",
            "collect_ignore",
            "collect_ignore_glob",
            "__all__",
        ];
        const DYNAMIC: &[&str] = &["globals", "locals", "vars", "setattr", "exec", "eval"];
        let line = line_of(block);
        let mut out = Vec::new();
        let mut push = |name: String, kind: BindingKind| -> Option<()> {
            if name.starts_with("pytest_") || SPECIAL.contains(&name.as_str()) {
                return None;
            }
            out.push(Binding { name, line, kind });
            Some(())
        };
        let value = || BindingKind::Value {
            maybe_callable: true,
        };
        let mut stack = vec![block];
        while let Some(n) = stack.pop() {
            match n.kind() {
                // An undecorated helper under a condition (`except ImportError:
                // class Server: pass`): a value of unknown kind, as an assignment's
                // (see `plain_helper` for the definitions that stay undecided).
                "function_definition" | "class_definition" if self.plain_helper(n) => {
                    let name = field(n, "name")?;
                    push(self.text(name).to_string(), value())?;
                    continue;
                }
                "function_definition"
                | "class_definition"
                | "decorated_definition"
                | "match_statement"
                | "delete_statement"
                | "global_statement" => return None,
                // A function value (`PYTZ_IN_TIMEZONE = [lambda dt, tz: ...]` in
                // icalendar's conftest): the name it is bound to is a value of unknown
                // kind, as a call's; nothing in its body binds a module name.
                "lambda" => continue,
                "import_statement" | "import_from_statement" => {
                    let (module, bindings) = self.import_bindings(n, line);
                    if bindings.is_empty() {
                        // `from m import *`.
                        return None;
                    }
                    // pytest's names under a condition (`mark`, an alias of `pytest`):
                    // which decorators are marks depends on the branch.
                    let pytest_named = |m: &str| {
                        let top = m.split('.').next().unwrap_or(m);
                        top == "pytest" || top == "_pytest"
                    };
                    if pytest_named(&module)
                        || bindings.iter().any(|b| {
                            matches!(&b.kind, BindingKind::Import { name, .. } if pytest_named(name))
                        })
                    {
                        return None;
                    }
                    for b in bindings {
                        push(b.name, b.kind)?;
                    }
                    continue;
                }
                "assignment" | "augmented_assignment" => {
                    let left = field(n, "left")?;
                    if !matches!(
                        left.kind(),
                        "identifier" | "pattern_list" | "tuple_pattern" | "list_pattern"
                    ) {
                        return None;
                    }
                    let mut targets = vec![left];
                    while let Some(t) = targets.pop() {
                        match t.kind() {
                            "identifier" => push(self.text(t).to_string(), value())?,
                            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                                let mut c = t.walk();
                                targets.extend(t.named_children(&mut c));
                            }
                            _ => return None,
                        }
                    }
                    if let Some(right) = field(n, "right") {
                        stack.push(right);
                    }
                    continue;
                }
                "for_statement" | "for_in_clause" => {
                    if let Some(left) = field(n, "left") {
                        for name in identifiers_in(left, self.src) {
                            push(name, value())?;
                        }
                    }
                }
                "as_pattern" | "named_expression" => {
                    let target = field(n, "alias").or_else(|| field(n, "name"));
                    if let Some(t) = target {
                        for name in identifiers_in(t, self.src) {
                            push(name, value())?;
                        }
                    }
                }
                "call" => {
                    let f = field(n, "function");
                    if f.is_some_and(|f| {
                        f.kind() == "identifier" && DYNAMIC.contains(&self.text(f))
                    }) {
                        return None;
                    }
                    // `fx = pytest.fixture(make)`: a fixture, not a plain value.
                    let chain = f.and_then(|f| attr_chain(f, self.src));
                    if chain.is_some_and(|c| c.last().is_some_and(|l| l == "fixture")) {
                        return None;
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        Some(out)
    }

    /// A call or statement run at import time that can end the module's collection.
    /// A call to one of the module's own plain functions (`defs`) is read as its body:
    /// `OrderedDict = _import_OrderedDict()` runs what that body runs, nothing more.
    fn import_time_outcome(
        &self,
        stmt: Node<'a>,
        defs: &HashMap<String, Callee<'a>>,
    ) -> Option<String> {
        let mut stack = vec![stmt];
        // Function bodies already pushed: recursion between them ends.
        let mut entered: HashSet<usize> = HashSet::new();
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "lambda" => continue,
                "class_definition" => continue,
                "decorated_definition" => {
                    // Decorator expressions run at import time; the body does not.
                    let mut c = n.walk();
                    stack.extend(n.named_children(&mut c).filter(|x| x.kind() == "decorator"));
                    continue;
                }
                "raise_statement" => {
                    return Some(format!("`raise` at import time (line {})", line_of(n)));
                }
                "call" => {
                    if let Some(chain) = field(n, "function").and_then(|f| attr_chain(f, self.src))
                    {
                        let hit = match chain.as_slice() {
                            [p, f] => {
                                self.pytest_mods.contains(p)
                                    && matches!(
                                        f.as_str(),
                                        "skip" | "importorskip" | "exit" | "fail" | "xfail"
                                    )
                            }
                            [f] => self.outcome_fns.contains(f),
                            _ => false,
                        };
                        if let [f] = chain.as_slice() {
                            if let Some(callee) = defs.get(f).filter(|_| !hit) {
                                for body in callee.bodies() {
                                    if entered.insert(body.start_byte()) {
                                        stack.push(*body);
                                    }
                                }
                                // The call's arguments run too.
                                stack.extend(field(n, "arguments"));
                                continue;
                            }
                        }
                        // `importlib.import_module(...)`, `import_helper.import_module(...)`,
                        // `__import__(...)`: a dynamic import that may fail or raise
                        // `unittest.SkipTest` (which skips the whole module).
                        let dynamic_import = chain
                            .last()
                            .is_some_and(|f| f.to_ascii_lowercase().contains("import"));
                        if hit {
                            if let Some(module) = self.plain_importorskip(n, &chain) {
                                self.importorskips.borrow_mut().push((module, line_of(n)));
                                continue;
                            }
                        }
                        // A warning at import: pytest's collection records it (the
                        // warnings summary of `--collect-only`, an error under an `error`
                        // filter), which a run's engine does as it imports the module.
                        let warns = match chain.as_slice() {
                            [m, f] => {
                                m == "warnings" && matches!(f.as_str(), "warn" | "warn_explicit")
                            }
                            [f] => {
                                matches!(f.as_str(), "warn" | "warn_explicit")
                                    && self.src.windows(20).any(|w| w == b"from warnings import")
                            }
                            _ => false,
                        };
                        if warns && !hit && !dynamic_import {
                            self.import_warning.borrow_mut().get_or_insert_with(|| {
                                format!(
                                    "`{}` at import time (line {})",
                                    chain.join("."),
                                    line_of(n)
                                )
                            });
                        }
                        if hit || dynamic_import {
                            return Some(format!(
                                "`{}` at import time (line {})",
                                chain.join("."),
                                line_of(n)
                            ));
                        }
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        None
    }

    /// The module of `pytest.importorskip("m")` (or `reason=` given too): whether it
    /// skips is whether `m` imports. A `minversion` (or anything computed) needs the
    /// module's version, which only an import reads.
    fn plain_importorskip(&self, call: Node<'a>, chain: &[String]) -> Option<String> {
        if chain.last().map(String::as_str) != Some("importorskip") {
            return None;
        }
        let args = call_arguments(call)?;
        let (first, rest) = args.split_first()?;
        let module = self.str_literal(*first)?;
        let plain_kw = |a: &Node<'a>| {
            a.kind() == "keyword_argument"
                && field(*a, "name").is_some_and(|k| self.text(k) == "reason")
        };
        let valid = !module.is_empty()
            && module
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
        (valid && rest.iter().all(plain_kw)).then_some(module)
    }

    /// Decode a (possibly decorated) function or class definition.
    fn definition(
        &mut self,
        stmt: Node<'a>,
        in_class: bool,
        uncertain: &mut [String],
    ) -> Option<Binding> {
        let def = definition_of(stmt)?;
        let decorators = if stmt.kind() == "decorated_definition" {
            let mut c = stmt.walk();
            let decs: Vec<Node<'a>> = stmt
                .named_children(&mut c)
                .filter(|n| n.kind() == "decorator")
                .collect();
            self.decorators(&decs)
        } else {
            Decorators::default()
        };
        let name = self.text(field(def, "name")?).to_string();
        let line = line_of(def);
        match def.kind() {
            "function_definition" => {
                let is_async = def.child(0).is_some_and(|c| c.kind() == "async");
                let is_generator = self.generator_defs.contains(&def.start_byte());
                let mut argnames = field(def, "parameters")
                    .map(|p| self.argnames(p))
                    .unwrap_or_default();
                if in_class && !decorators.staticmethod && !argnames.is_empty() {
                    argnames.remove(0);
                }
                let mut decorators = decorators;
                if let Some(fx) = decorators.fixture.as_mut() {
                    if fx.name.is_empty() {
                        fx.name.clone_from(&name);
                    }
                    fx.argnames.clone_from(&argnames);
                }
                Some(Binding {
                    name,
                    line,
                    kind: BindingKind::Function(Func {
                        is_async,
                        is_generator,
                        argnames,
                        decorators,
                    }),
                })
            }
            "class_definition" => {
                let class = self.class(def, decorators, uncertain);
                Some(Binding {
                    name,
                    line,
                    kind: BindingKind::Class(Box::new(class)),
                })
            }
            _ => None,
        }
    }

    fn class(&mut self, def: Node<'a>, decorators: Decorators, _unc: &mut [String]) -> Class {
        let mut class = Class {
            bases: Vec::new(),
            has_class_kwargs: false,
            decorators,
            body: Vec::new(),
            pytestmark: Vec::new(),
            has_init: false,
            test_attr: None,
            fixtures: Vec::new(),
            uncertain: Vec::new(),
        };
        if let Some(args) = field(def, "superclasses") {
            let mut c = args.walk();
            for a in args.named_children(&mut c) {
                match a.kind() {
                    "keyword_argument" => class.has_class_kwargs = true,
                    "comment" => {}
                    _ => class.bases.push(self.base(a)),
                }
            }
        }
        let mut order: Vec<Binding> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let Some(body) = field(def, "body") else {
            return class;
        };
        // The decorators below a binding see it: the class's namespace, statement by
        // statement.
        let changed = self.changed_in_class(body);
        self.class_frames.push(HashMap::new());
        let mut stmts = Vec::new();
        self.class_statements(body, &mut stmts, 0);
        for stmt in stmts {
            self.note_class_binding(stmt, &changed);
            match stmt.kind() {
                "function_definition" | "decorated_definition" | "class_definition" => {
                    let mut unc = Vec::new();
                    if let Some(b) = self.definition(stmt, true, &mut unc) {
                        if matches!(b.name.as_str(), "__init__" | "__new__") {
                            class.has_init = true;
                        }
                        if b.name == "pytest_generate_tests" {
                            class
                                .uncertain
                                .push("class defines pytest_generate_tests".into());
                        }
                        if let BindingKind::Function(f) = &b.kind {
                            if let Some(fx) = &f.decorators.fixture {
                                class.fixtures.push(fx.clone());
                            }
                        }
                        Self::bind(&mut order, &mut index, b);
                    }
                    class.uncertain.extend(unc);
                }
                "expression_statement" => {
                    let Some(a) = stmt.named_child(0) else {
                        continue;
                    };
                    if a.kind() != "assignment" {
                        continue;
                    }
                    let (Some(left), Some(right)) = (field(a, "left"), field(a, "right")) else {
                        continue;
                    };
                    let line = line_of(stmt);
                    if left.kind() != "identifier" {
                        if unpacks_computed(left, right) {
                            class.uncertain.push(format!(
                                "names unpacked from a computed value (line {line})"
                            ));
                        }
                        for name in identifiers_in(left, self.src) {
                            Self::bind(
                                &mut order,
                                &mut index,
                                Binding {
                                    name,
                                    line,
                                    kind: BindingKind::Value {
                                        maybe_callable: true,
                                    },
                                },
                            );
                        }
                        continue;
                    }
                    let name = self.text(left).to_string();
                    match name.as_str() {
                        "pytestmark" => class.pytestmark = self.pytestmark(right),
                        "__test__" => class.test_attr = Some(literal_bool(right).ok_or(())),
                        "__init__" | "__new__" => class.has_init = true,
                        _ => {}
                    }
                    let kind = if right.kind() == "lambda" {
                        BindingKind::Lambda
                    } else {
                        BindingKind::Value {
                            maybe_callable: maybe_callable_value(right, self.src),
                        }
                    };
                    Self::bind(&mut order, &mut index, Binding { name, line, kind });
                }
                "if_statement" | "try_statement" | "with_statement" | "for_statement"
                | "while_statement" | "match_statement"
                    if contains_binding(stmt) =>
                {
                    class.uncertain.push(format!(
                        "definitions inside a `{}` block in a class (line {})",
                        stmt.kind().trim_end_matches("_statement"),
                        line_of(stmt)
                    ));
                }
                _ => {}
            }
        }
        self.class_frames.pop();
        class.body = order;
        class
    }

    /// The members of a module-level enum class whose IDs pytest derives from the
    /// source alone: `Enum` (`str()`: `Class.MEMBER`), a `str` mixin or `StrEnum`
    /// (the value, as a string), `IntEnum` (`str()`: the value from Python 3.11 on),
    /// an `int` mixin (`Class.MEMBER`). Members bound to literals (aliases resolve to
    /// their canonical member) or all to `auto()` (plain enums); nothing that changes
    /// `str()` or the values (`__str__`, `__new__`, `_generate_next_value_`, ...).
    fn enum_members(
        &self,
        def: Node<'a>,
        c: &Class,
        class_name: &str,
    ) -> Option<HashMap<String, PyValue>> {
        #[derive(PartialEq, Clone, Copy)]
        enum Kind {
            Plain,
            IntMixin,
            Str,
            Int,
        }
        let args = field(def, "superclasses")?;
        let mut ac = args.walk();
        let bases: Vec<Node<'a>> = args
            .named_children(&mut ac)
            .filter(|n| n.kind() != "comment")
            .collect();
        let base_name = |n: Node<'a>| -> Option<String> {
            match attr_chain(n, self.src)?.as_slice() {
                [one] if (one == "str" || one == "int") && !self.rebound(one) => Some(one.clone()),
                [one] if !self.rebound_other_than_enum(one) => self
                    .enum_names
                    .get(one)
                    .filter(|n| matches!(n.as_str(), "Enum" | "IntEnum" | "StrEnum"))
                    .cloned(),
                [m, e] if self.enum_mods.contains(m) => Some(e.clone()),
                _ => None,
            }
        };
        let names: Vec<String> = bases.iter().map(|b| base_name(*b)).collect::<Option<_>>()?;
        let kind = match names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["Enum"] => Kind::Plain,
            ["str", "Enum"] | ["StrEnum"] => Kind::Str,
            ["int", "Enum"] => Kind::IntMixin,
            ["IntEnum"] => Kind::Int,
            _ => return None,
        };
        // `@unique` (of `enum`) only checks; anything else may replace the class.
        let decorated_ok = c.decorators.unknown.iter().all(|d| {
            let d = d.trim_start_matches('@').trim();
            self.imported_from_enum(d, "unique")
                || d.split_once('.')
                    .is_some_and(|(m, u)| self.enum_mods.contains(m) && u == "unique")
        });
        if !decorated_ok
            || c.has_class_kwargs
            || !c.uncertain.is_empty()
            || !c.decorators.marks.is_empty()
        {
            return None;
        }
        const CHANGING: &[&str] = &[
            "__str__",
            "__format__",
            "__new__",
            "__init__",
            "_missing_",
            "_generate_next_value_",
            "_ignore_",
            "_order_",
            "__getattr__",
            "__getattribute__",
        ];
        if c.body.iter().any(|b| CHANGING.contains(&b.name.as_str())) {
            return None;
        }
        let body = field(def, "body")?;
        let mut bc = body.walk();
        let mut members: Vec<(String, Option<PyValue>)> = Vec::new();
        let mut autos = 0usize;
        for stmt in body.named_children(&mut bc) {
            let Some(a) = stmt
                .named_child(0)
                .filter(|a| stmt.kind() == "expression_statement" && a.kind() == "assignment")
            else {
                continue;
            };
            let (Some(l), Some(r)) = (field(a, "left"), field(a, "right")) else {
                continue; // An annotation alone binds nothing.
            };
            if l.kind() != "identifier" {
                return None;
            }
            let name = self.text(l).to_string();
            if name.starts_with("__") && name.ends_with("__") {
                continue; // dunder names are no members
            }
            if name.starts_with('_') {
                // Sunder names raise or configure the enum; private ones vary by
                // Python version.
                return None;
            }
            let is_auto = r.kind() == "call"
                && field(r, "arguments").is_some_and(|a| a.named_child_count() == 0)
                && field(r, "function").is_some_and(|f| {
                    matches!(attr_chain(f, self.src).as_deref(),
                        Some([one]) if self.imported_from_enum(one, "auto"))
                        || matches!(attr_chain(f, self.src).as_deref(),
                        Some([m, a]) if a == "auto" && self.enum_mods.contains(m))
                });
            if is_auto {
                autos += 1;
                members.push((name, None));
                continue;
            }
            let v = self.value(r)?;
            let literal = matches!(
                v,
                PyValue::Str(_)
                    | PyValue::Bytes(_)
                    | PyValue::Int(_)
                    | PyValue::Float(_)
                    | PyValue::Bool(_)
                    | PyValue::None
            );
            if !literal {
                return None;
            }
            members.push((name, Some(v)));
        }
        // `auto()` beside literal values numbers after them: not followed.
        if autos > 0 && (autos != members.len() || kind != Kind::Plain) {
            return None;
        }
        let mut out: HashMap<String, PyValue> = HashMap::new();
        let mut canonical: Vec<(Option<String>, String)> = Vec::new();
        for (name, value) in &members {
            if out.contains_key(name) {
                return None; // bound twice: enum raises
            }
            // An equal value makes an alias of the first member holding it.
            let key = value.as_ref().and_then(element_key);
            if value.is_some() && key.is_none() {
                return None;
            }
            let first = key
                .as_ref()
                .and_then(|k| canonical.iter().find(|(ck, _)| ck.as_ref() == Some(k)))
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| name.clone());
            if first == *name {
                canonical.push((key, name.clone()));
            }
            let id = match (kind, value) {
                (Kind::Plain | Kind::IntMixin, _) => {
                    PyValue::Named(format!("{class_name}.{first}"), Origin::Local)
                }
                (Kind::Str, Some(PyValue::Str(s))) => PyValue::Str(s.clone()),
                (Kind::Int, Some(PyValue::Int(i))) if self.python >= PyVersion(3, 11) => {
                    PyValue::Int(i.clone())
                }
                (Kind::Int, Some(PyValue::Int(_))) => {
                    PyValue::Named(format!("{class_name}.{first}"), Origin::Local)
                }
                _ => return None,
            };
            out.insert(name.clone(), id);
        }
        // An int mixin's members must hold ints (`int("a")` raises at class creation).
        if kind == Kind::IntMixin
            && members
                .iter()
                .any(|(_, v)| !matches!(v, Some(PyValue::Int(_))))
        {
            return None;
        }
        Some(out)
    }

    /// Whether a class statement names an enum class (or a local class deriving from
    /// one) among its bases.
    fn derives_from_enum(&self, def: Node<'a>) -> bool {
        self.base_chains(def).iter().any(|b| match b.as_slice() {
            [one] => self.enum_names.contains_key(one) || self.enum_classes.contains(one),
            [m, _] => self.enum_mods.contains(m),
            _ => false,
        })
    }

    /// Whether a class statement names `typing.NamedTuple` among its bases.
    fn derives_from_named_tuple(&self, def: Node<'a>) -> bool {
        self.base_chains(def).iter().any(|b| match b.as_slice() {
            [one] => self.named_tuples.contains(one),
            [m, t] => t == "NamedTuple" && self.typing_mods.contains(m),
            _ => false,
        })
    }

    /// How many of a class statement's bases are `TypedDict` or the module's classes
    /// deriving from it, and how many are anything else.
    fn typed_dict_bases(&self, def: Node<'a>) -> (usize, usize) {
        let Some(args) = field(def, "superclasses") else {
            return (0, 0);
        };
        let mut c = args.walk();
        let bases: Vec<Node<'a>> = args
            .named_children(&mut c)
            .filter(|n| !matches!(n.kind(), "keyword_argument" | "comment"))
            .collect();
        let typed = bases
            .iter()
            .filter(|n| match attr_chain(**n, self.src).as_deref() {
                Some([one]) => self.typed_dicts.contains(one),
                Some([m, t]) => t == "TypedDict" && self.typing_mods.contains(m),
                _ => false,
            })
            .count();
        (typed, bases.len() - typed)
    }

    /// The dotted names (`Enum`, `enum.Enum`) of a class statement's bases; keyword
    /// arguments and other expressions are left out.
    fn base_chains(&self, def: Node<'a>) -> Vec<Vec<String>> {
        let Some(args) = field(def, "superclasses") else {
            return Vec::new();
        };
        let mut c = args.walk();
        let nodes: Vec<Node<'a>> = args.named_children(&mut c).collect();
        nodes
            .into_iter()
            .filter(|n| n.kind() != "keyword_argument")
            .filter_map(|n| attr_chain(n, self.src))
            .collect()
    }

    /// Whether `typing.NamedTuple` accepts a class statement: `NamedTuple` its only
    /// base, no keywords or decorators, fields (annotated names) with identifier names
    /// not starting with `_`, none without a default after one with a default, and
    /// none of the attributes it forbids overwriting.
    fn valid_named_tuple(&self, def: Node<'a>) -> bool {
        const PROHIBITED: &[&str] = &[
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_field_types",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        ];
        let Some(args) = field(def, "superclasses") else {
            return false;
        };
        if args.named_child_count() != 1 {
            return false;
        }
        if def
            .parent()
            .is_some_and(|p| p.kind() == "decorated_definition")
        {
            return false;
        }
        let Some(body) = field(def, "body") else {
            return false;
        };
        let mut defaulted = false;
        let mut c = body.walk();
        for stmt in body.named_children(&mut c) {
            match stmt.kind() {
                "expression_statement" => {
                    let Some(a) = stmt.named_child(0) else {
                        continue;
                    };
                    if a.kind() != "assignment" {
                        continue; // a docstring, `...`
                    }
                    let Some(l) = field(a, "left").filter(|l| l.kind() == "identifier") else {
                        return false;
                    };
                    let name = self.text(l);
                    if PROHIBITED.contains(&name) {
                        return false;
                    }
                    if field(a, "type").is_none() {
                        continue; // a plain class attribute
                    }
                    if name.starts_with('_') {
                        return false;
                    }
                    match (field(a, "right").is_some(), defaulted) {
                        (true, _) => defaulted = true,
                        (false, true) => return false,
                        (false, false) => {}
                    }
                }
                "function_definition" | "decorated_definition" => {
                    let name = definition_of(stmt)
                        .and_then(|d| field(d, "name"))
                        .map(|n| self.text(n));
                    if name.is_some_and(|n| PROHIBITED.contains(&n)) {
                        return false;
                    }
                }
                "pass_statement" | "comment" => {}
                _ => return false,
            }
        }
        true
    }

    /// Whether `name` is `enum.<what>`, imported and not rebound.
    fn imported_from_enum(&self, name: &str, what: &str) -> bool {
        self.enum_names.get(name).is_some_and(|n| n == what) && !self.rebound_other_than_enum(name)
    }

    fn rebound_other_than_enum(&self, name: &str) -> bool {
        self.unstable.contains(name)
            || self.consts.contains_key(name)
            || self.local_defs.contains(name)
    }

    /// Names of a class body's mutable displays (`CASES = [...]`) that some use in the
    /// body may change in place before a decorator reads them.
    fn changed_in_class(&self, body: Node<'a>) -> HashSet<String> {
        let mut displays: HashMap<&'a str, Node<'a>> = HashMap::new();
        let mut c = body.walk();
        for stmt in body.named_children(&mut c) {
            let Some(a) = stmt.named_child(0).filter(|a| a.kind() == "assignment") else {
                continue;
            };
            if let (Some(l), Some(r)) = (field(a, "left"), field(a, "right")) {
                if l.kind() == "identifier" && is_mutable_display(r, self.src) {
                    displays.insert(self.text(l), r);
                }
            }
        }
        let mut out = HashSet::new();
        if displays.is_empty() {
            return out;
        }
        let mut stack = vec![body];
        let mut cursor = body.walk();
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" => {
                    let name = self.text(n);
                    if let Some(value) = displays.get(name) {
                        if self.changes(n, *value) {
                            out.insert(name.to_string());
                        }
                    }
                    continue;
                }
                // Their own scopes: a class attribute is no name there (a method's
                // parameter of the same name is another variable).
                "function_definition" | "class_definition" | "lambda" => continue,
                _ => {}
            }
            stack.extend(n.named_children(&mut cursor));
        }
        out
    }

    /// Record what a class-body statement binds in the innermost class frame: the
    /// decorators of the statements after it may name it.
    fn note_class_binding(&mut self, stmt: Node<'a>, changed: &HashSet<String>) {
        let mut bound: Vec<(String, ClassName<'a>)> = Vec::new();
        match stmt.kind() {
            "function_definition" | "class_definition" => {
                if let Some(n) = field(stmt, "name") {
                    bound.push((self.text(n).to_string(), ClassName::Def));
                }
            }
            "decorated_definition" => {
                if let Some(n) = definition_of(stmt).and_then(|d| field(d, "name")) {
                    bound.push((self.text(n).to_string(), ClassName::Unknown));
                }
            }
            "expression_statement" => {
                let Some(a) = stmt.named_child(0) else { return };
                match (a.kind(), field(a, "left"), field(a, "right")) {
                    ("assignment", Some(l), Some(r)) if l.kind() == "identifier" => {
                        let name = self.text(l).to_string();
                        let what = if changed.contains(&name) {
                            ClassName::Unknown
                        } else {
                            ClassName::Value(r)
                        };
                        bound.push((name, what));
                    }
                    ("assignment" | "augmented_assignment", Some(l), _) => {
                        for name in identifiers_in(l, self.src) {
                            bound.push((name, ClassName::Unknown));
                        }
                    }
                    _ => {}
                }
            }
            // Bindings in blocks make the class uncertain by themselves; imports and
            // the rest are rare in a class body and hold nothing known.
            _ => {
                let mut stack = vec![stmt];
                while let Some(n) = stack.pop() {
                    if n.kind() == "identifier" {
                        bound.push((self.text(n).to_string(), ClassName::Unknown));
                        continue;
                    }
                    let mut c = n.walk();
                    stack.extend(n.named_children(&mut c));
                }
            }
        }
        let Some(frame) = self.class_frames.last_mut() else {
            return;
        };
        for (name, what) in bound {
            // Bound twice: which binding a decorator saw is not worth following.
            let what = if frame.contains_key(&name) {
                ClassName::Unknown
            } else {
                what
            };
            frame.insert(name, what);
        }
    }

    /// How the innermost class body being read binds `name` so far, if it does.
    fn class_name(&self, name: &str) -> Option<ClassName<'a>> {
        self.class_frames.last()?.get(name).copied()
    }

    fn base(&self, n: Node<'_>) -> Base {
        let chain = attr_chain(n, self.src);
        match chain.as_deref() {
            Some([one]) if one == "object" && !self.rebound(one) => Base::Object,
            Some([one]) if BUILTIN_CLASSES.contains(&one.as_str()) && !self.rebound(one) => {
                Base::Builtin(one.clone())
            }
            Some([one]) if self.testcase_names.contains(one) => Base::UnitTest,
            Some([one]) if self.classes.contains_key(one) && !self.unstable.contains(one) => {
                Base::Local(one.clone())
            }
            Some([m, tc])
                if self.unittest_mods.contains(m)
                    && (tc == "TestCase" || tc == "IsolatedAsyncioTestCase") =>
            {
                Base::UnitTest
            }
            _ => Base::Unknown(self.text(n).to_string()),
        }
    }

    /// Whether the module binds `name` itself (an import, an assignment or a
    /// definition at module level), hiding the builtin of that name.
    fn rebound(&self, name: &str) -> bool {
        let bound = self.consts.contains_key(name)
            || self.unstable.contains(name)
            || self.local_defs.contains(name)
            || self.import_bound.contains(name);
        if !bound {
            self.relied.borrow_mut().insert(name.to_string());
        }
        bound
    }

    fn argnames(&self, params: Node<'_>) -> Vec<String> {
        let mut names = Vec::new();
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            match p.kind() {
                "identifier" => names.push(self.text(p).to_string()),
                "typed_parameter" => {
                    // `x: int` (but not `*args: int`).
                    if let Some(first) = p.named_child(0) {
                        if first.kind() == "identifier" {
                            names.push(self.text(first).to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        names
    }

    fn decorators(&self, decs: &[Node<'a>]) -> Decorators {
        let mut out = Decorators::default();
        for d in decs {
            let Some(expr) = d.named_child(0) else {
                continue;
            };
            let (callee, args) = if expr.kind() == "call" {
                (field(expr, "function"), field(expr, "arguments"))
            } else {
                (Some(expr), None)
            };
            let chain = callee.and_then(|c| attr_chain(c, self.src));
            let Some(chain) = chain else {
                out.unknown.push(self.text(expr).to_string());
                out.opaque = true;
                continue;
            };
            if let Some(mark) = self.mark_name(&chain) {
                out.marks.push(self.mark_decl(&mark, args));
                continue;
            }
            if let Some(decl) = self.mark_alias(&chain, args) {
                out.marks.push(decl);
                continue;
            }
            if self.is_fixture(&chain) {
                out.fixture = Some(self.fixture(args));
                continue;
            }
            match chain.as_slice() {
                [s] if s == "staticmethod" && args.is_none() => out.staticmethod = true,
                [s] if s == "classmethod" && args.is_none() => out.classmethod = true,
                _ => {
                    out.unknown.push(self.text(expr).to_string());
                    if !chain.first().is_some_and(|r| {
                        self.safe_decorator_roots.contains(r) && !self.unstable.contains(r)
                    }) {
                        out.opaque = true;
                    }
                }
            }
        }
        // Decorators apply bottom-up, so the nearest mark comes first, as `iter_markers`.
        out.marks.reverse();
        out
    }

    /// `pytest.mark.NAME` / `mark.NAME` → `NAME`.
    fn mark_name(&self, chain: &[String]) -> Option<String> {
        match chain {
            [p, m, name] if self.pytest_mods.contains(p) && m == "mark" => Some(name.clone()),
            [m, name] if self.mark_objs.contains(m) => Some(name.clone()),
            _ => None,
        }
    }

    /// `slow = pytest.mark.slow` at module level, then `@slow`: the decorator is that mark.
    fn mark_alias(&self, chain: &[String], args: Option<Node<'a>>) -> Option<MarkDecl> {
        let [name] = chain else { return None };
        if self.unstable.contains(name) {
            return None;
        }
        let value = unparen(*self.consts.get(name)?);
        let (callee, value_args) = if value.kind() == "call" {
            (field(value, "function")?, field(value, "arguments"))
        } else {
            (value, None)
        };
        let mark = self.mark_name(&attr_chain(callee, self.src)?)?;
        Some(match (value_args, args) {
            (Some(a), None) | (None, Some(a)) => self.mark_decl(&mark, Some(a)),
            (None, None) => self.mark_decl(&mark, None),
            (Some(_), Some(_)) => MarkDecl::Unknown(format!("mark alias `{name}` called again")),
        })
    }

    /// Marker names from unconditional `config.addinivalue_line("markers", "name: ...")`
    /// statements directly in a `pytest_configure` body.
    /// `<receiver>.addinivalue_line("markers", "<literal>")` as a statement: the
    /// receiver's name and the marker's (pytest: `line.split(":")[0].split("(")[0].strip()`).
    fn marker_registration(&self, stmt: Node<'a>) -> Option<(String, String)> {
        let call = stmt
            .named_child(0)
            .filter(|n| stmt.kind() == "expression_statement" && n.kind() == "call")?;
        let chain = field(call, "function").and_then(|f| attr_chain(f, self.src))?;
        let [receiver, method] = chain.as_slice() else {
            return None;
        };
        if method != "addinivalue_line" {
            return None;
        }
        let args = field(call, "arguments")?;
        let mut ac = args.walk();
        let vals: Vec<Option<PyValue>> = args
            .named_children(&mut ac)
            .filter(|a| a.kind() != "comment")
            .map(|a| self.value(a))
            .collect();
        let [Some(PyValue::Str(key)), Some(PyValue::Str(line))] = vals.as_slice() else {
            return None;
        };
        if key != "markers" {
            return None;
        }
        let name = line.split(':').next().unwrap_or("");
        let name = name.split('(').next().unwrap_or("").trim();
        Some((receiver.clone(), name.to_string()))
    }

    /// Whether a function's body names something that writes to the terminal: `print`,
    /// the terminal reporter or its writer, `sys.stdout`/`sys.stderr` (a guess that
    /// errs towards yes: a `write` to a file counts too, unless the body opened that
    /// file itself).
    fn may_write_output(&self, def: Node<'a>) -> bool {
        const WRITERS: &[&str] = &[
            "print",
            "pprint",
            "terminalreporter",
            "get_terminal_writer",
            "write_line",
            "write_sep",
            "write",
            "stdout",
            "stderr",
        ];
        let Some(body) = field(def, "body") else {
            return false;
        };
        let files = self.opened_files(body);
        let is_file = |n: Option<Node<'a>>| {
            n.is_some_and(|n| n.kind() == "identifier" && files.contains(self.text(n)))
        };
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier" && WRITERS.contains(&self.text(n)) {
                return true;
            }
            if n.kind() == "call" {
                // `f.write(...)` and `print(..., file=f)` on a file the hook opened.
                let func = field(n, "function");
                let to_file = match func.map(|f| f.kind()) {
                    Some("attribute") => {
                        let f = func.and_then(|f| field(f, "attribute"));
                        f.is_some_and(|a| matches!(self.text(a), "write" | "writelines"))
                            && is_file(func.and_then(|f| field(f, "object")))
                    }
                    Some("identifier") => {
                        func.is_some_and(|f| self.text(f) == "print")
                            && field(n, "arguments").is_some_and(|args| {
                                let mut c = args.walk();
                                let found = args.named_children(&mut c).any(|a| {
                                    a.kind() == "keyword_argument"
                                        && field(a, "name").is_some_and(|k| self.text(k) == "file")
                                        && is_file(field(a, "value"))
                                });
                                found
                            })
                    }
                    _ => false,
                };
                if to_file {
                    if let Some(args) = field(n, "arguments") {
                        stack.push(args);
                    }
                    continue;
                }
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        false
    }

    /// Names a function body binds to a file it opens: `with open(...) as f`,
    /// `f = path.open(...)`.
    fn opened_files(&self, body: Node<'a>) -> HashSet<String> {
        let opens = |n: Node<'a>| {
            n.kind() == "call"
                && field(n, "function").is_some_and(|f| match f.kind() {
                    "identifier" => self.text(f) == "open",
                    "attribute" => field(f, "attribute").is_some_and(|a| self.text(a) == "open"),
                    _ => false,
                })
        };
        let mut files = HashSet::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "as_pattern" => {
                    let value = n.named_child(0);
                    if value.is_some_and(opens) {
                        if let Some(t) = field(n, "alias") {
                            files.extend(identifiers_in(t, self.src));
                            let mut c = t.walk();
                            for x in t.named_children(&mut c) {
                                files.extend(identifiers_in(x, self.src));
                            }
                        }
                    }
                }
                "assignment" => {
                    if let (Some(l), Some(r)) = (field(n, "left"), field(n, "right")) {
                        if l.kind() == "identifier" && opens(r) {
                            files.insert(self.text(l).to_string());
                        }
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        files
    }

    /// Whether a session hook assigns `<something>.exitstatus` (`session.exitstatus = 0`
    /// when no test was collected): the exit code is pytest's session's to give.
    fn sets_exit_status(&self, def: Node<'a>) -> bool {
        let Some(body) = field(def, "body") else {
            return false;
        };
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if matches!(n.kind(), "assignment" | "augmented_assignment")
                && field(n, "left").is_some_and(|left| {
                    left.kind() == "attribute"
                        && field(left, "attribute").is_some_and(|a| self.text(a) == "exitstatus")
                })
            {
                return true;
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        false
    }

    /// The names a `pytest_generate_tests(metafunc)` body requires among the function's
    /// fixture names before it does anything: every statement (a docstring aside) is an
    /// `if`/`elif` chain, each condition requiring one of them (`"x" in
    /// metafunc.fixturenames`, alone, under `and`, or each side of an `or` doing so),
    /// and an `else` holds only `pass`. `None` for any other body.
    fn fixturename_guards(&self, def: Node<'a>) -> Option<Vec<String>> {
        let metafunc = self.single_param(def)?;
        let body = field(def, "body")?;
        let mut guards: Vec<String> = Vec::new();
        let mut c = body.walk();
        for (i, stmt) in body.named_children(&mut c).enumerate() {
            let docstring = i == 0
                && stmt.kind() == "expression_statement"
                && stmt.named_child(0).is_some_and(|n| n.kind() == "string");
            if docstring || stmt.kind() == "comment" {
                continue;
            }
            if stmt.kind() != "if_statement" {
                return None;
            }
            guards.extend(self.guard_names(field(stmt, "condition")?, metafunc)?);
            let mut ac = stmt.walk();
            for alt in stmt.children_by_field_name("alternative", &mut ac) {
                match alt.kind() {
                    "elif_clause" => {
                        guards.extend(self.guard_names(field(alt, "condition")?, metafunc)?);
                    }
                    "else_clause" => {
                        let b = field(alt, "body")?;
                        let mut bc = b.walk();
                        let only_pass = b
                            .named_children(&mut bc)
                            .all(|s| matches!(s.kind(), "pass_statement" | "comment"));
                        if !only_pass {
                            return None;
                        }
                    }
                    _ => return None,
                }
            }
        }
        guards.sort();
        guards.dedup();
        (!guards.is_empty()).then_some(guards)
    }

    /// The fixture names `cond` requires (one of them must be among
    /// `<metafunc>.fixturenames` for it to hold); `None` when it may hold otherwise.
    fn guard_names(&self, cond: Node<'a>, metafunc: &str) -> Option<Vec<String>> {
        let cond = unparen(cond);
        match cond.kind() {
            "comparison_operator" => {
                let (left, op, right) = self.binary_comparison(cond)?;
                let chain = attr_chain(unparen(right), self.src)?;
                let fixturenames =
                    matches!(chain.as_slice(), [m, f] if m == metafunc && f == "fixturenames");
                (op == "in" && fixturenames)
                    .then(|| self.str_literal(left))
                    .flatten()
                    .map(|name| vec![name])
            }
            "boolean_operator" => {
                let op = field(cond, "operator").map(|o| self.text(o))?;
                let l = self.guard_names(field(cond, "left")?, metafunc);
                let r = self.guard_names(field(cond, "right")?, metafunc);
                match op {
                    // Both sides must hold: either side's names are required.
                    "and" => l.or(r),
                    "or" => {
                        let mut both = l?;
                        both.extend(r?);
                        Some(both)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The name of a hook's one plain parameter (`metafunc`, `config`); `None` when it
    /// takes anything else.
    fn single_param(&self, def: Node<'a>) -> Option<&'a str> {
        let params = field(def, "parameters")?;
        let mut pc = params.walk();
        let names: Vec<Node<'a>> = params.named_children(&mut pc).collect();
        match names.as_slice() {
            [p] if p.kind() == "identifier" => Some(self.text(*p)),
            _ => None,
        }
    }

    /// The first assignment in the body of `def` to an attribute of pytest's options
    /// (`config.option.X`, `session.config.option.X`, `config.known_args_namespace.X`,
    /// also augmented, or by `setattr` on them), as written.
    fn option_assignment(&self, def: Node<'a>) -> Option<String> {
        let body = field(def, "body")?;
        let is_options = |n: Node<'a>| {
            attr_chain(n, self.src).is_some_and(|ch| {
                ch.len() >= 2
                    && ch
                        .last()
                        .is_some_and(|o| o == "option" || o == "known_args_namespace")
            })
        };
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "function_definition" | "class_definition" | "lambda" => continue,
                "assignment" | "augmented_assignment" => {
                    let mut targets: Vec<Node<'a>> = field(n, "left").into_iter().collect();
                    while let Some(t) = targets.pop() {
                        if t.kind() == "attribute" && field(t, "object").is_some_and(is_options) {
                            return Some(self.text(t).to_string());
                        }
                        if matches!(t.kind(), "pattern_list" | "tuple_pattern" | "list_pattern") {
                            let mut c = t.walk();
                            targets.extend(t.named_children(&mut c));
                        }
                    }
                }
                "call" => {
                    let setattr = field(n, "function")
                        .is_some_and(|f| f.kind() == "identifier" && self.text(f) == "setattr");
                    if setattr {
                        if let Some(first) = call_arguments(n).and_then(|a| a.first().copied()) {
                            if is_options(first) {
                                return Some(format!("setattr({}, ...)", self.text(first)));
                            }
                        }
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        None
    }

    fn only_registers_markers(&self, def: Node<'a>) -> bool {
        let Some(config) = self.single_param(def) else {
            return false;
        };
        let Some(body) = field(def, "body") else {
            return false;
        };
        let mut c = body.walk();
        let mut first = true;
        let all = body.named_children(&mut c).all(|stmt| {
            let docstring = std::mem::take(&mut first)
                && stmt.kind() == "expression_statement"
                && stmt.named_child(0).is_some_and(|n| n.kind() == "string");
            docstring
                || matches!(stmt.kind(), "pass_statement" | "comment")
                || self
                    .marker_registration(stmt)
                    .is_some_and(|(receiver, _)| receiver == config)
        });
        all
    }

    /// Whether a `pytest_load_initial_conftests` only reads the ini and the options and
    /// registers markers: each use of a parameter in its body is the receiver of a
    /// call of `getini`, `getoption` or `addinivalue_line` with `"markers"` (pytest-
    /// dotenv's, which loads `.env` files; pytest-vcr's, which registers its mark).
    /// Anything else (changing `args`, the options, the ini, registering plugins) may
    /// change what pytest collects.
    fn plain_early_hook(&self, def: Node<'a>) -> bool {
        let (Some(params), Some(body)) = (field(def, "parameters"), field(def, "body")) else {
            return false;
        };
        let mut c = params.walk();
        let names: Vec<&str> = params
            .named_children(&mut c)
            .filter_map(|p| match p.kind() {
                "identifier" => Some(self.text(p)),
                "typed_parameter" => p.named_child(0).map(|n| self.text(n)),
                _ => None,
            })
            .collect();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier" && names.contains(&self.text(n)) {
                let allowed = n
                    .parent()
                    .filter(|a| a.kind() == "attribute" && field(*a, "object") == Some(n))
                    .and_then(|a| {
                        let method = field(a, "attribute").map(|m| self.text(m))?;
                        let call = a
                            .parent()
                            .filter(|c| c.kind() == "call" && field(*c, "function") == Some(a))?;
                        match method {
                            "getini" | "getoption" => Some(true),
                            "addinivalue_line" => {
                                let args = call_arguments(call)?;
                                let first = args.first().and_then(|f| self.value(*f));
                                Some(matches!(first, Some(PyValue::Str(k)) if k == "markers"))
                            }
                            _ => Some(false),
                        }
                    })
                    .unwrap_or(false);
                if !allowed {
                    return false;
                }
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        true
    }

    fn literal_marker_registrations(&self, def: Node<'a>) -> Vec<String> {
        let Some(body) = field(def, "body") else {
            return Vec::new();
        };
        let mut c = body.walk();
        let names = body
            .named_children(&mut c)
            .filter_map(|stmt| self.marker_registration(stmt))
            .map(|(_, name)| name)
            .collect();
        names
    }

    fn is_fixture(&self, chain: &[String]) -> bool {
        match chain {
            [p, f] => self.pytest_mods.contains(p) && f == "fixture",
            [f] => self.fixture_fns.contains(f),
            _ => false,
        }
    }

    fn mark_decl(&self, name: &str, args: Option<Node<'a>>) -> MarkDecl {
        if name == "parametrize" {
            return match args.map(|a| self.parametrize(a)) {
                Some(Ok(p)) => MarkDecl::Parametrize(p),
                Some(Err(e)) => MarkDecl::Unknown(e),
                None => MarkDecl::Unknown("parametrize without arguments".into()),
            };
        }
        let mut kwargs = Vec::new();
        let mut positional: Vec<String> = Vec::new();
        if let Some(args) = args {
            let mut c = args.walk();
            for a in args.named_children(&mut c) {
                match a.kind() {
                    "keyword_argument" => {
                        let k = field(a, "name").map(|n| self.text(n).to_string());
                        let v = field(a, "value").map_or(MarkValue::Opaque, |v| self.mark_value(v));
                        if let Some(k) = k {
                            kwargs.push((k, v));
                        }
                    }
                    "comment" => {}
                    "list_splat" | "dictionary_splat" => {
                        return MarkDecl::Unknown(format!("splat in mark `{name}`"));
                    }
                    _ => {
                        if let Some(PyValue::Str(s)) = self.value(a) {
                            positional.push(s);
                        } else {
                            positional.push(String::new());
                        }
                    }
                }
            }
        }
        let fixtures = if name == "usefixtures" {
            if positional.iter().any(String::is_empty) {
                return MarkDecl::Unknown("computed usefixtures".into());
            }
            positional
        } else {
            Vec::new()
        };
        MarkDecl::Mark(
            Mark {
                name: name.to_string(),
                kwargs,
            },
            fixtures,
        )
    }

    fn mark_value(&self, v: Node<'_>) -> MarkValue {
        match self.value(v) {
            Some(PyValue::Str(s)) => MarkValue::Str(s),
            Some(PyValue::Bool(b)) => MarkValue::Bool(b),
            Some(PyValue::None) => MarkValue::None,
            Some(PyValue::Int(i)) => i.parse().map_or(MarkValue::Opaque, MarkValue::Int),
            _ => MarkValue::Opaque,
        }
    }

    fn pytestmark(&self, right: Node<'a>) -> Vec<MarkDecl> {
        let items: Vec<Node<'a>> = if matches!(right.kind(), "list" | "tuple") {
            let mut c = right.walk();
            right
                .named_children(&mut c)
                .filter(|n| n.kind() != "comment")
                .collect()
        } else {
            vec![right]
        };
        items
            .into_iter()
            .map(|e| {
                let (callee, args) = if e.kind() == "call" {
                    (field(e, "function"), field(e, "arguments"))
                } else {
                    (Some(e), None)
                };
                match callee
                    .and_then(|c| attr_chain(c, self.src))
                    .and_then(|c| self.mark_name(&c))
                {
                    Some(name) => self.mark_decl(&name, args),
                    None => MarkDecl::Unknown(format!("pytestmark entry `{}`", self.text(e))),
                }
            })
            .collect()
    }

    fn fixture(&self, args: Option<Node<'a>>) -> Fixture {
        let mut fx = Fixture {
            name: String::new(),
            autouse: false,
            scope: None,
            params: Ok(None),
            argnames: Vec::new(),
            unknown: None,
        };
        let Some(args) = args else { return fx };
        let mut ids: Option<Result<Vec<Option<PyValue>>, String>> = None;
        let mut c = args.walk();
        for a in args.named_children(&mut c) {
            if a.kind() == "comment" {
                continue;
            }
            if a.kind() != "keyword_argument" {
                // `@pytest.fixture(scope_fn)` style positional use.
                fx.unknown = Some("positional fixture() argument".into());
                continue;
            }
            let key = field(a, "name").map(|n| self.text(n)).unwrap_or("");
            let Some(v) = field(a, "value") else {
                continue;
            };
            match key {
                "name" => match self.value(v) {
                    Some(PyValue::Str(s)) => fx.name = s,
                    _ => fx.unknown = Some("computed fixture name".into()),
                },
                "autouse" => match literal_bool(v) {
                    Some(b) => fx.autouse = b,
                    None => fx.unknown = Some("computed autouse".into()),
                },
                "scope" => match self.value(v) {
                    Some(PyValue::Str(s)) => fx.scope = Some(s),
                    _ => fx.unknown = Some("computed fixture scope".into()),
                },
                "params" => {
                    fx.params = match self.resolve_sequence(v) {
                        None => match self.generated_values(v) {
                            Some(values) => Ok(Some(values.into_iter().map(bare_set).collect())),
                            None => Err("computed fixture params".into()),
                        },
                        Some(elems) => elems
                            .into_iter()
                            .map(|e| self.param_set(e, 1))
                            .collect::<Result<Vec<_>, _>>()
                            .map(Some),
                    };
                }
                "ids" => ids = Some(self.ids(v)),
                _ => {}
            }
        }
        if let Some(ids) = ids {
            match (ids, &mut fx.params) {
                (Ok(ids), Ok(Some(sets))) if ids.len() != sets.len() => {
                    fx.params = Err("fixture ids of another length than its params".into());
                }
                (Ok(ids), Ok(Some(sets))) => apply_ids(sets, &ids),
                (Err(e), Ok(Some(_))) => fx.params = Err(e),
                _ => {}
            }
        }
        fx
    }

    fn parametrize(&self, args: Node<'a>) -> Result<Parametrize, String> {
        let mut positional = Vec::new();
        let mut kw: HashMap<&str, Node<'a>> = HashMap::new();
        let mut c = args.walk();
        for a in args.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    let key = field(a, "name").map(|n| self.text(n)).unwrap_or("");
                    if let Some(v) = field(a, "value") {
                        kw.insert(key, v);
                    }
                }
                "comment" => {}
                "list_splat" | "dictionary_splat" => return Err("splat in parametrize".into()),
                _ => positional.push(a),
            }
        }
        let argnames_node = positional
            .first()
            .copied()
            .or_else(|| kw.get("argnames").copied());
        let argvalues_node = positional
            .get(1)
            .copied()
            .or_else(|| kw.get("argvalues").copied());
        let (Some(an), Some(av)) = (argnames_node, argvalues_node) else {
            return Err("parametrize arguments".into());
        };
        if positional.len() > 2 {
            return Err("positional indirect/ids in parametrize".into());
        }
        let argnames: Vec<String> = match self.value(an) {
            Some(PyValue::Str(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect(),
            _ => match self.str_list(an) {
                Some(v) => v,
                None => return Err("computed argnames".into()),
            },
        };
        // A single name given as a string takes bare values; a list/tuple of names (even
        // of length one) takes sequences.
        let names_as_str = matches!(self.value(an), Some(PyValue::Str(_)));
        let n = argnames.len();
        let bare = n == 1 && names_as_str;
        let mut sets = match self.resolve_sequence(av) {
            Some(elems) => {
                let mut sets = Vec::with_capacity(elems.len());
                for e in elems {
                    let arity = if bare { 1 } else { n };
                    sets.push(self.param_set_n(e, arity, bare)?);
                }
                sets
            }
            None => self
                .generated_values(av)
                .filter(|_| bare)
                .ok_or("computed argvalues")?
                .into_iter()
                .map(bare_set)
                .collect(),
        };
        if let Some(ids) = kw.get("ids") {
            let ids = self.ids(*ids)?;
            // pytest's collection error ("N parameter sets specified, with different
            // number of ids"): its import says it.
            if ids.len() != sets.len() {
                return Err("parametrize ids of another length than its argvalues".into());
            }
            apply_ids(&mut sets, &ids);
        }
        let scope = kw.get("scope").map(|v| match self.value(*v) {
            Some(PyValue::Str(s)) => {
                ParamScope::from_name(&s).ok_or_else(|| format!("parametrize scope {s:?}"))
            }
            _ => Err("computed parametrize scope".to_string()),
        });
        let indirect = match kw.get("indirect") {
            None => Indirect::No,
            Some(v) => match self.value(*v) {
                Some(PyValue::Bool(true)) => Indirect::All,
                Some(PyValue::Bool(false) | PyValue::None) => Indirect::No,
                _ => match self.str_list(*v) {
                    Some(names) if names.is_empty() => Indirect::No,
                    Some(names) if names.len() == n => Indirect::All,
                    Some(_) => Indirect::Partly,
                    None => Indirect::Unknown,
                },
            },
        };
        if sets.is_empty() {
            // One `[NOTSET]` item, skipped through `empty_parameter_set_mark` (skip).
            sets.push(ParamSet {
                values: Vec::new(),
                id: Some(ExplicitId::Param("NOTSET".into())),
                marks: vec![Mark {
                    name: "skip".into(),
                    kwargs: vec![("reason".into(), MarkValue::Opaque)],
                }],
            });
        }
        Ok(Parametrize {
            argnames,
            sets,
            scope,
            indirect,
        })
    }

    fn ids(&self, v: Node<'a>) -> Result<Vec<Option<PyValue>>, String> {
        let elems = self.resolve_sequence(v).ok_or("computed ids")?;
        elems
            .into_iter()
            .map(|e| match self.value(e) {
                Some(PyValue::None) => Ok(None),
                Some(PyValue::Opaque(_)) | None => Err("computed id".to_string()),
                Some(v) => Ok(Some(v)),
            })
            .collect()
    }

    fn param_set(&self, e: Node<'a>, arity: usize) -> Result<ParamSet, String> {
        self.param_set_n(e, arity, true)
    }

    /// One argvalues entry: a `pytest.param(...)`, a bare value (single argname given as a
    /// string), or a tuple/list of `arity` values.
    fn param_set_n(&self, e: Node<'a>, arity: usize, bare: bool) -> Result<ParamSet, String> {
        if e.kind() == "call" {
            let callee = field(e, "function").and_then(|f| attr_chain(f, self.src));
            let is_param = match callee.as_deref() {
                Some([p, f]) => self.pytest_mods.contains(p) && f == "param",
                Some([f]) => self.param_fns.contains(f),
                _ => false,
            };
            if is_param {
                return self.pytest_param(e, arity);
            }
        }
        if bare {
            // Settled later: an explicit `ids` entry makes the value's ID irrelevant.
            let v = self.param_value(e);
            return Ok(ParamSet {
                values: vec![v],
                id: None,
                marks: Vec::new(),
            });
        }
        let inner = self.resolve_sequence(e).ok_or("computed parameter set")?;
        if inner.len() != arity {
            return Err("parameter set length differs from argnames".into());
        }
        let values = inner
            .into_iter()
            .map(|x| self.param_value(x))
            .collect::<Vec<_>>();
        Ok(ParamSet {
            values,
            id: None,
            marks: Vec::new(),
        })
    }

    /// A parameter's value: what [`Ctx::value`] proves, else an attribute through an
    /// imported name for the resolver to read in the other module
    /// ([`PyValue::External`]), else [`PyValue::Computed`].
    fn param_value(&self, e: Node<'a>) -> PyValue {
        if let Some(v) = self.value(e) {
            return v;
        }
        let e = unparen(e);
        if !matches!(e.kind(), "attribute" | "identifier") {
            return PyValue::Computed;
        }
        // A name the module binds nowhere may be one a star import binds: the resolver
        // reads it there once the star import's names are known.
        let from_star = |name: &str| {
            self.star_import
                && !self.consts.contains_key(name)
                && !self.local_defs.contains(name)
                && !self.import_bound.contains(name)
        };
        match attr_chain(e, self.src) {
            Some(chain)
                if !chain.is_empty()
                    && (self.import_bound.contains(&chain[0]) || from_star(&chain[0]))
                    && !self.unstable.contains(&chain[0])
                    && self.class_name(&chain[0]).is_none() =>
            {
                PyValue::External(chain.join("."))
            }
            _ => PyValue::Computed,
        }
    }

    fn pytest_param(&self, call: Node<'a>, arity: usize) -> Result<ParamSet, String> {
        let mut values = Vec::new();
        let mut id = None;
        let mut marks = Vec::new();
        let Some(args) = field(call, "arguments") else {
            return Err("pytest.param".into());
        };
        let mut c = args.walk();
        for a in args.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    let key = field(a, "name").map(|n| self.text(n)).unwrap_or("");
                    let Some(v) = field(a, "value") else {
                        continue;
                    };
                    match key {
                        "id" => {
                            id = match self.value(v) {
                                Some(PyValue::Str(s)) => Some(ExplicitId::Param(s)),
                                Some(PyValue::None) => None,
                                _ => {
                                    let chain = attr_chain(v, self.src);
                                    match chain.as_deref() {
                                        Some([p, h])
                                            if self.pytest_mods.contains(p)
                                                && h == "HIDDEN_PARAM" =>
                                        {
                                            Some(ExplicitId::Hidden)
                                        }
                                        _ => return Err("computed pytest.param id".into()),
                                    }
                                }
                            };
                        }
                        "marks" => {
                            for m in self.pytestmark(v) {
                                match m {
                                    MarkDecl::Mark(m, _) => marks.push(m),
                                    _ => return Err("computed pytest.param marks".into()),
                                }
                            }
                        }
                        _ => return Err("unknown pytest.param keyword".into()),
                    }
                }
                "comment" => {}
                "list_splat" | "dictionary_splat" => return Err("splat in pytest.param".into()),
                _ => values.push(self.param_value(a)),
            }
        }
        if values.len() != arity {
            return Err("pytest.param arity".into());
        }
        Ok(ParamSet { values, id, marks })
    }

    /// The elements of a list/tuple literal, following a module constant name; or of
    /// `list(X)`, `tuple(X)`, `sorted(X)` and `D.keys()` over such literals and dict
    /// literals (their keys).
    fn resolve_sequence(&self, n: Node<'a>) -> Option<Vec<Node<'a>>> {
        let n = self.resolve_name(n)?;
        let n = unparen(n);
        if n.kind() == "call" {
            return self.builtin_sequence(n);
        }
        if !matches!(n.kind(), "list" | "tuple") {
            return None;
        }
        let mut c = n.walk();
        let elems: Vec<Node<'a>> = n
            .named_children(&mut c)
            .filter(|x| x.kind() != "comment")
            .collect();
        if elems
            .iter()
            .any(|e| matches!(e.kind(), "list_splat" | "parenthesized_list_splat"))
        {
            return None;
        }
        Some(elems)
    }

    /// `list(X)`, `tuple(X)`, `sorted(X)` (strings or integers only, no `key=`), and
    /// `D.keys()`, where `X` is a list, tuple, set or dict literal (a dict gives its
    /// keys) or such a call, following module constants.
    fn builtin_sequence(&self, call: Node<'a>) -> Option<Vec<Node<'a>>> {
        let f = field(call, "function")?;
        let args = call_arguments(call)?;
        match f.kind() {
            "attribute" => {
                let method = field(f, "attribute").map(|a| self.text(a))?;
                if method != "keys" || !args.is_empty() {
                    return None;
                }
                let obj = unparen(self.resolve_name(field(f, "object")?)?);
                (obj.kind() == "dictionary").then(|| self.iterated(obj))?
            }
            "identifier" => {
                let name = self.text(f);
                let [arg] = args.as_slice() else { return None };
                if self.rebound(name) || matches!(arg.kind(), "keyword_argument" | "list_splat") {
                    return None;
                }
                match name {
                    "list" | "tuple" => {
                        let inner = unparen(self.resolve_name(*arg)?);
                        // A set's order is its hashes': only `sorted` makes it certain.
                        if inner.kind() == "set" {
                            return None;
                        }
                        self.iterated(inner)
                    }
                    "sorted" => self.sorted(self.iterated(unparen(self.resolve_name(*arg)?))?),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// What iterating a literal (or a [`Ctx::builtin_sequence`] call) yields: the
    /// elements of a list, tuple or set (each value once), a dict's keys.
    fn iterated(&self, n: Node<'a>) -> Option<Vec<Node<'a>>> {
        let mut c = n.walk();
        let kids: Vec<Node<'a>> = n
            .named_children(&mut c)
            .filter(|x| x.kind() != "comment")
            .collect();
        let elems: Vec<Node<'a>> = match n.kind() {
            "call" => return self.builtin_sequence(n),
            "list" | "tuple" | "set" => kids,
            "dictionary" => kids
                .iter()
                .map(|p| (p.kind() == "pair").then(|| field(*p, "key")).flatten())
                .collect::<Option<Vec<_>>>()?,
            _ => return None,
        };
        if elems.iter().any(|e| e.kind().contains("splat")) {
            return None;
        }
        if matches!(n.kind(), "set" | "dictionary") {
            // Equal keys collapse (the first one's place): only for strings, bytes or
            // integers of one kind (`1`, `1.0` and `True` are one key to Python).
            let mut seen: Vec<PyValue> = Vec::new();
            let mut out = Vec::new();
            for e in elems {
                let v = self.value(e)?;
                let same_kind = |a: &PyValue, b: &PyValue| {
                    std::mem::discriminant(a) == std::mem::discriminant(b)
                };
                if !matches!(v, PyValue::Str(_) | PyValue::Bytes(_) | PyValue::Int(_))
                    || seen.first().is_some_and(|f| !same_kind(f, &v))
                {
                    return None;
                }
                if !seen.contains(&v) {
                    seen.push(v);
                    out.push(e);
                }
            }
            return Some(out);
        }
        Some(elems)
    }

    /// `sorted()` of elements that are all strings or all integers.
    fn sorted(&self, elems: Vec<Node<'a>>) -> Option<Vec<Node<'a>>> {
        let values: Vec<PyValue> = elems
            .iter()
            .map(|e| self.value(*e))
            .collect::<Option<_>>()?;
        Some(
            sorted_order(&values)?
                .into_iter()
                .map(|i| elems[i])
                .collect(),
        )
    }

    /// Values a builtin makes from literals, with no node of their own: `range(...)` of
    /// integers and `"a b".split()` / `"a,b".split(",")` of a string, directly or in
    /// `list()`, `tuple()` or `sorted()`.
    fn generated_values(&self, n: Node<'a>) -> Option<Vec<PyValue>> {
        let call = unparen(self.resolve_name(n)?);
        if call.kind() != "call" {
            return None;
        }
        let f = field(call, "function")?;
        let args = call_arguments(call)?;
        if args.iter().any(|a| {
            matches!(
                a.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat"
            )
        }) {
            return None;
        }
        match f.kind() {
            "identifier" if !self.rebound(self.text(f)) => match self.text(f) {
                "range" => {
                    let ints: Vec<i64> = args
                        .iter()
                        .map(|a| match self.value(*a) {
                            Some(PyValue::Int(i)) => i.parse().ok(),
                            _ => None,
                        })
                        .collect::<Option<_>>()?;
                    let (start, stop, step) = match ints.as_slice() {
                        [stop] => (0, *stop, 1),
                        [start, stop] => (*start, *stop, 1),
                        [start, stop, step] if *step != 0 => (*start, *stop, *step),
                        _ => return None,
                    };
                    let mut out = Vec::new();
                    let mut i = start;
                    while (step > 0 && i < stop) || (step < 0 && i > stop) {
                        // A huge range is left to pytest.
                        if out.len() >= 100_000 {
                            return None;
                        }
                        out.push(PyValue::Int(i.to_string()));
                        i = i.checked_add(step)?;
                    }
                    Some(out)
                }
                "list" | "tuple" => match args.as_slice() {
                    [inner] => self.generated_values(*inner),
                    _ => None,
                },
                "sorted" => match args.as_slice() {
                    [inner] => {
                        let values = self.generated_values(*inner)?;
                        let order = sorted_order(&values)?;
                        Some(order.into_iter().map(|i| values[i].clone()).collect())
                    }
                    _ => None,
                },
                _ => None,
            },
            "attribute" => {
                if field(f, "attribute").map(|a| self.text(a)) != Some("split") {
                    return None;
                }
                let Some(PyValue::Str(text)) = self.value(field(f, "object")?) else {
                    return None;
                };
                let parts: Vec<&str> = match args.as_slice() {
                    // Python's whitespace for an ASCII string (the Unicode rules differ).
                    [] if text.is_ascii() => text
                        .split(|c: char| matches!(c, ' ' | '\t'..='\r' | '\x1c'..='\x1f'))
                        .filter(|p| !p.is_empty())
                        .collect(),
                    [sep] => match self.value(*sep) {
                        Some(PyValue::Str(sep)) if !sep.is_empty() => {
                            text.split(sep.as_str()).collect()
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                Some(
                    parts
                        .into_iter()
                        .map(|p| PyValue::Str(p.to_string()))
                        .collect(),
                )
            }
            _ => None,
        }
    }

    /// Follow an identifier to its single module-level assignment.
    fn resolve_name(&self, n: Node<'a>) -> Option<Node<'a>> {
        if n.kind() != "identifier" {
            return Some(n);
        }
        let name = self.text(n);
        match self.class_name(name) {
            Some(ClassName::Value(v)) if v.kind() != "identifier" => return Some(v),
            Some(_) => return None,
            None => {}
        }
        if self.unstable.contains(name) || self.mutated().contains(name) {
            return None;
        }
        let target = *self.consts.get(name)?;
        if target.kind() == "identifier" {
            return None;
        }
        Some(target)
    }

    /// Module constants whose value some code may change before pytest reads it, by
    /// any use of the name outside reading it: a module-level `global` declaration
    /// of it (a function may rebind it), and for a mutable display (list, dict, set,
    /// comprehension) an attribute of it (`CASES.append(...)`, in a registering
    /// decorator too), an item stored or deleted (`CASES[k] = v`), the name passed to a
    /// call other than a reading builtin or pytest's decorators (`shuffle(CASES)`), or
    /// bound to another name (`ALIAS = CASES`). A local of the same name counts too
    /// (the import fallback then describes the module).
    fn mutated(&self) -> &HashSet<String> {
        self.mutated.get_or_init(|| {
            let mut out = HashSet::new();
            let Some(root) = self.root.filter(|_| !self.consts.is_empty()) else {
                return out;
            };
            // Only the places a watched name (or `global`) is spelt can change it: find
            // them in the bytes and ask the tree what each is, instead of walking every
            // node (a whole-tree walk cost as much as a tenth of a cold parse). An
            // occurrence in a string or comment is not an identifier node and is skipped.
            let mut cursor = root.walk();
            for (name, value) in &self.consts {
                if !is_mutable_display(*value, self.src) {
                    continue;
                }
                for (start, end) in word_occurrences(self.src, name.as_bytes()) {
                    let Some(n) = root.named_descendant_for_byte_range(start, end) else {
                        continue;
                    };
                    if n.kind() == "identifier"
                        && n.start_byte() == start
                        && n.end_byte() == end
                        && self.changes(n, *value)
                    {
                        out.insert(name.clone());
                        break;
                    }
                }
            }
            for (start, end) in word_occurrences(self.src, b"global") {
                let Some(n) = root.named_descendant_for_byte_range(start, end) else {
                    continue;
                };
                if n.kind() == "global_statement" && n.start_byte() == start {
                    for c in n.named_children(&mut cursor) {
                        out.insert(self.text(c).to_string());
                    }
                }
            }
            out
        })
    }

    /// Whether this use of a mutable constant (`value` its assigned display) may
    /// change it (see [`Ctx::mutated`]).
    fn changes(&self, id: Node<'a>, value: Node<'a>) -> bool {
        let Some(parent) = id.parent() else {
            return false;
        };
        let is = |f: &str| field(parent, f).is_some_and(|c| c.id() == id.id());
        match parent.kind() {
            // Its own binding.
            "assignment" if is("left") => {
                field(parent, "right").is_some_and(|r| r.id() != value.id())
            }
            "assignment" if is("right") => true,
            // A method call, unless it is one that only reads (`CASES.keys()`).
            "attribute" if is("object") => {
                let method = field(parent, "attribute").map(|a| self.text(a));
                let called = parent
                    .parent()
                    .filter(|c| c.kind() == "call")
                    .and_then(|c| field(c, "function"))
                    .is_some_and(|f| f.id() == parent.id());
                !(called && method.is_some_and(|m| READING_METHODS.contains(&m)))
            }
            "subscript" if is("value") => is_store(parent),
            "augmented_assignment" => true,
            "argument_list" => !reading_call(parent.parent(), self.src),
            "keyword_argument" => {
                is("value") && !reading_call(parent.parent().and_then(|a| a.parent()), self.src)
            }
            _ => is_store(id),
        }
    }

    /// pytest's `_get_plugin_specs_as_list` on a literal: a string is split at commas
    /// (an empty one names nothing), a list or tuple of strings is taken as it is.
    fn plugin_specs(&self, n: Node<'a>) -> Option<Vec<String>> {
        if let Some(PyValue::Str(s)) = self.value(n) {
            if s.is_empty() {
                return Some(Vec::new());
            }
            return Some(s.split(',').map(str::to_string).collect());
        }
        self.str_list(n)
    }

    fn str_list(&self, n: Node<'a>) -> Option<Vec<String>> {
        let elems = self.resolve_sequence(n)?;
        elems
            .into_iter()
            .map(|e| match self.value(e) {
                Some(PyValue::Str(s)) => Some(s),
                _ => None,
            })
            .collect()
    }

    /// The [`PyValue`] of an expression, when the source proves its ID.
    fn value(&self, n: Node<'a>) -> Option<PyValue> {
        let n = unparen(n);
        match n.kind() {
            "string" => match decode_string(self.text(n))? {
                Lit::Str(s) => Some(PyValue::Str(s)),
                Lit::Bytes(b) => Some(PyValue::Bytes(b)),
            },
            "concatenated_string" => {
                let mut c = n.walk();
                let mut acc: Option<Lit> = None;
                for part in n.named_children(&mut c) {
                    if part.kind() != "string" {
                        continue;
                    }
                    let lit = decode_string(self.text(part))?;
                    acc = Some(match (acc, lit) {
                        (None, l) => l,
                        (Some(Lit::Str(a)), Lit::Str(b)) => Lit::Str(a + &b),
                        (Some(Lit::Bytes(mut a)), Lit::Bytes(b)) => {
                            a.extend(b);
                            Lit::Bytes(a)
                        }
                        _ => return None,
                    });
                }
                match acc? {
                    Lit::Str(s) => Some(PyValue::Str(s)),
                    Lit::Bytes(b) => Some(PyValue::Bytes(b)),
                }
            }
            "integer" => int_literal(self.text(n)).map(PyValue::Int),
            "float" => float_literal(self.text(n)),
            "true" => Some(PyValue::Bool(true)),
            "false" => Some(PyValue::Bool(false)),
            "none" => Some(PyValue::None),
            "unary_operator" => {
                let op = field(n, "operator").map(|o| self.text(o))?;
                let arg = self.value(field(n, "argument")?)?;
                match (op, arg) {
                    ("-", PyValue::Int(i)) => match i.parse::<i128>() {
                        Ok(v) => Some(PyValue::Int(v.checked_neg()?.to_string())),
                        // Beyond 128 bits: a literal's digits, negated.
                        Err(_) if !i.starts_with('-') => Some(PyValue::Int(format!("-{i}"))),
                        Err(_) => None,
                    },
                    ("-", PyValue::Float(f)) => Some(PyValue::Float(-f)),
                    ("+", v @ (PyValue::Int(_) | PyValue::Float(_))) => Some(v),
                    ("~", PyValue::Int(i)) => {
                        let i: i128 = i.parse().ok()?;
                        Some(PyValue::Int((-(i.checked_add(1)?)).to_string()))
                    }
                    _ => None,
                }
            }
            "attribute" => {
                let chain = attr_chain(n, self.src)?;
                let [class, member] = chain.as_slice() else {
                    return None;
                };
                if self.class_name(class).is_some() || self.unstable.contains(class) {
                    return None;
                }
                self.enums.get(class)?.get(member).cloned()
            }
            "binary_operator" => {
                let op = field(n, "operator").map(|o| self.text(o))?;
                let left = self.value(field(n, "left")?)?;
                let right = self.value(field(n, "right")?)?;
                fold_binary(op, &left, &right)
            }
            "list"
            | "dictionary"
            | "set"
            | "list_comprehension"
            | "dictionary_comprehension"
            | "set_comprehension" => Some(PyValue::Opaque(OpaqueKey::Unhashable)),
            "tuple" => Some(PyValue::Opaque(self.tuple_key(n))),
            "lambda" => Some(PyValue::Named("<lambda>".into(), Origin::Unkeyed)),
            "identifier" => {
                let name = self.text(n);
                match self.class_name(name) {
                    Some(ClassName::Value(v)) if v.kind() != "identifier" => return self.value(v),
                    Some(ClassName::Def) => {
                        return Some(PyValue::Named(name.to_string(), Origin::Unkeyed))
                    }
                    Some(_) => return None,
                    None => {}
                }
                if let Some(target) = self.resolve_name(n) {
                    if target.kind() != "identifier" && !self.local_defs.contains(name) {
                        return self.value(target);
                    }
                }
                if self.local_defs.contains(name) && !self.unstable.contains(name) {
                    return Some(PyValue::Named(name.to_string(), Origin::Local));
                }
                if BUILTIN_NAMED.contains(&name) && !self.rebound(name) {
                    return Some(PyValue::Named(name.to_string(), Origin::Builtin));
                }
                None
            }
            // Builtin constructors of values pytest gives no ID of their own.
            "call" => {
                let f = field(n, "function")?;
                let name = self.text(f);
                let container = f.kind() == "identifier"
                    && BUILTIN_CONTAINERS.contains(&name)
                    && !self.rebound(name);
                // An instance of a class defined above with nothing that gives it a
                // value or a `__name__`.
                let instance = f.kind() == "identifier"
                    && self.class_name(name).is_none()
                    && self.classes.get(name).copied().unwrap_or(false)
                    && !self.unstable.contains(name);
                (container || instance).then_some(PyValue::Opaque(OpaqueKey::Unknown))
            }
            _ => None,
        }
    }
}

impl<'a> Ctx<'a> {
    /// How pytest's `ParamValueKey` compares a tuple literal: by value when every
    /// element is a hashable literal (numbers by value: `(1,) == (1.0,)`), by index when
    /// one is a list, dict or set.
    fn tuple_key(&self, n: Node<'a>) -> OpaqueKey {
        let mut parts = Vec::new();
        let mut c = n.walk();
        for e in n.named_children(&mut c) {
            if e.kind() == "comment" {
                continue;
            }
            let key = match self.value(e) {
                Some(PyValue::Opaque(OpaqueKey::Unhashable)) => return OpaqueKey::Unhashable,
                Some(PyValue::Opaque(OpaqueKey::Hashable(k))) => Some(k),
                Some(v) => element_key(&v),
                None => None,
            };
            match key {
                Some(k) => parts.push(k),
                None => return OpaqueKey::Unknown,
            }
        }
        OpaqueKey::Hashable(format!("tuple:({})", parts.join(", ")))
    }
}

/// How a class body binds a name, for the decorators below the binding.
#[derive(Debug, Clone, Copy)]
enum ClassName<'a> {
    /// `name = value`, bound once so far (a mutable display nothing in the body
    /// changes).
    Value(Node<'a>),
    /// An undecorated function or class: a decorator sees it with its `__name__`.
    Def,
    /// Anything else: bound twice, unpacked, decorated, changed in place, ...
    Unknown,
}

/// Whether an instance of class `c` has no parametrize ID of its own: no value type
/// among its bases (`str`, `int`, an enum, anything imported), no `__name__` an
/// instance could read, no `__new__` or `__getattr__` that could return or make up one,
/// no metaclass or decorator that could replace the class. `seen` holds the same fact
/// for the classes defined above it.
fn plain_instances(c: &Class, seen: &HashMap<String, bool>) -> bool {
    const VALUE_TYPES: &[&str] = &["str", "bytes", "int", "float", "complex", "type"];
    const NAMING: &[&str] = &["__name__", "__new__", "__getattr__", "__getattribute__"];
    c.decorators.unknown.is_empty()
        && c.decorators.fixture.is_none()
        && !c.has_class_kwargs
        && c.uncertain.is_empty()
        && c.bases.iter().all(|b| match b {
            Base::Object => true,
            Base::Builtin(t) => !VALUE_TYPES.contains(&t.as_str()),
            Base::Local(n) => seen.get(n).copied().unwrap_or(false),
            Base::UnitTest | Base::Unknown(_) => false,
        })
        && c.body.iter().all(|b| !NAMING.contains(&b.name.as_str()))
}

/// Python's arithmetic on two literals, when its result is certain here: integers
/// exactly (within 128 bits), floats by IEEE rules for `+ - * /`, and `+`/`*` on
/// strings and bytes.
fn fold_binary(op: &str, left: &PyValue, right: &PyValue) -> Option<PyValue> {
    /// Integers a double holds exactly: mixed arithmetic converts them first.
    const EXACT: i128 = 1 << 53;
    let int = |v: &PyValue| match v {
        PyValue::Int(i) => i.parse::<i128>().ok(),
        _ => None,
    };
    let num = |v: &PyValue| match v {
        PyValue::Float(f) => Some(*f),
        PyValue::Int(_) => int(v).filter(|i| i.abs() < EXACT).map(|i| i as f64),
        _ => None,
    };
    const MAX_TEXT: usize = 10_000;
    match (left, right) {
        (PyValue::Int(_), PyValue::Int(_)) => {
            let (a, b) = (int(left)?, int(right)?);
            let r = match op {
                "+" => a.checked_add(b)?,
                "-" => a.checked_sub(b)?,
                "*" => a.checked_mul(b)?,
                "//" => floor_div(a, b)?,
                "%" => floor_div(a, b).and_then(|q| a.checked_sub(q.checked_mul(b)?))?,
                "**" => a.checked_pow(u32::try_from(b).ok()?)?,
                "<<" => {
                    let s = u32::try_from(b).ok().filter(|s| *s < 127)?;
                    a.checked_mul(1_i128.checked_shl(s)?)?
                }
                ">>" => a >> u32::try_from(b).ok()?.min(127),
                "&" => a & b,
                "|" => a | b,
                "^" => a ^ b,
                "/" if b != 0 && a.abs() < EXACT && b.abs() < EXACT => {
                    return Some(PyValue::Float(a as f64 / b as f64))
                }
                _ => return None,
            };
            Some(PyValue::Int(r.to_string()))
        }
        (PyValue::Float(_), PyValue::Float(_) | PyValue::Int(_))
        | (PyValue::Int(_), PyValue::Float(_)) => {
            let (a, b) = (num(left)?, num(right)?);
            Some(PyValue::Float(match op {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" if b != 0.0 => a / b,
                _ => return None,
            }))
        }
        (PyValue::Str(a), PyValue::Str(b)) if op == "+" => Some(PyValue::Str(format!("{a}{b}"))),
        (PyValue::Bytes(a), PyValue::Bytes(b)) if op == "+" => {
            Some(PyValue::Bytes([a.as_slice(), b.as_slice()].concat()))
        }
        (PyValue::Str(t), PyValue::Int(_)) | (PyValue::Int(_), PyValue::Str(t)) if op == "*" => {
            let k = usize::try_from(int(left).or_else(|| int(right))?.max(0)).ok()?;
            (t.len().checked_mul(k)? <= MAX_TEXT).then(|| PyValue::Str(t.repeat(k)))
        }
        (PyValue::Bytes(t), PyValue::Int(_)) | (PyValue::Int(_), PyValue::Bytes(t))
            if op == "*" =>
        {
            let k = usize::try_from(int(left).or_else(|| int(right))?.max(0)).ok()?;
            (t.len().checked_mul(k)? <= MAX_TEXT).then(|| PyValue::Bytes(t.repeat(k)))
        }
        _ => None,
    }
}

/// Python's `a // b` (rounds toward negative infinity).
fn floor_div(a: i128, b: i128) -> Option<i128> {
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

/// A tuple element's key: Python compares the elements with `==`, so numbers of any
/// type are one key when equal (`1`, `1.0`, `True`).
fn element_key(v: &PyValue) -> Option<String> {
    Some(match v {
        PyValue::Str(s) => format!("str:{s:?}"),
        PyValue::Bytes(b) => format!("bytes:{b:?}"),
        PyValue::Int(i) => format!("num:{i}"),
        PyValue::Bool(b) => format!("num:{}", u8::from(*b)),
        PyValue::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("num:{}", *f as i64)
        }
        PyValue::Float(f) if f.is_finite() => format!("num:{f:?}"),
        PyValue::None => "None".to_string(),
        _ => return None,
    })
}

/// Methods of lists, dicts and sets that do not change them.
const READING_METHODS: &[&str] = &[
    "keys",
    "values",
    "items",
    "get",
    "copy",
    "count",
    "index",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
];

/// The byte ranges where `word` (not empty) stands in `src` as a whole word, not as part
/// of a longer identifier.
fn word_occurrences<'s>(
    src: &'s [u8],
    word: &'s [u8],
) -> impl Iterator<Item = (usize, usize)> + 's {
    src.windows(word.len().max(1))
        .enumerate()
        .filter(move |&(i, w)| {
            w == word
                && (i == 0 || !skim::is_ident(src[i - 1]))
                && src.get(i + word.len()).is_none_or(|b| !skim::is_ident(*b))
        })
        .map(move |(i, _)| (i, i + word.len()))
}

/// A value that code can change in place: a list, dict or set display or comprehension,
/// or a call of `list`, `dict`, `set` (and friends).
fn is_mutable_display(value: Node<'_>, src: &[u8]) -> bool {
    let v = unparen(value);
    match v.kind() {
        "list"
        | "dictionary"
        | "set"
        | "list_comprehension"
        | "dictionary_comprehension"
        | "set_comprehension" => true,
        "call" => field(v, "function").is_some_and(|f| {
            matches!(
                &src[f.byte_range()],
                b"list" | b"dict" | b"set" | b"bytearray" | b"defaultdict" | b"OrderedDict"
            )
        }),
        _ => false,
    }
}

/// Whether `n` (in a target position or not) is written: an assignment's left side
/// (through tuple and list patterns), an augmented assignment's target, a `for` or
/// `with` target, or `del`'s.
fn is_store(n: Node<'_>) -> bool {
    let mut cur = n;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "parenthesized_expression"
            | "expression_list"
            | "list_splat_pattern" => {
                cur = p;
            }
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                return field(p, "left").is_some_and(|l| l.id() == cur.id());
            }
            "as_pattern_target" | "delete_statement" => return true,
            _ => return false,
        }
    }
    false
}

/// Calls that only read their arguments: pytest's decorators and `pytest.param`, and
/// builtins that copy or measure.
fn reading_call(call: Option<Node<'_>>, src: &[u8]) -> bool {
    let Some(f) = call
        .filter(|c| c.kind() == "call")
        .and_then(|c| field(c, "function"))
    else {
        return false;
    };
    let name = match f.kind() {
        "attribute" => field(f, "attribute").map(|a| &src[a.byte_range()]),
        "identifier" => Some(&src[f.byte_range()]),
        _ => None,
    };
    matches!(
        name,
        Some(
            b"parametrize"
                | b"fixture"
                | b"param"
                | b"len"
                | b"sorted"
                | b"list"
                | b"tuple"
                | b"set"
                | b"frozenset"
                | b"dict"
                | b"str"
                | b"repr"
                | b"enumerate"
                | b"zip"
                | b"reversed"
                | b"min"
                | b"max"
                | b"sum"
                | b"any"
                | b"all"
                | b"iter"
                | b"isinstance"
                | b"print"
        )
    )
}

/// A call's arguments (comments left out); `None` for `f(x for x in y)`, whose
/// argument is a generator, not an argument list.
pub(crate) fn call_arguments(call: Node<'_>) -> Option<Vec<Node<'_>>> {
    let arguments = field(call, "arguments").filter(|a| a.kind() == "argument_list")?;
    let mut c = arguments.walk();
    let args = arguments
        .named_children(&mut c)
        .filter(|a| a.kind() != "comment")
        .collect();
    Some(args)
}

/// The order `sorted()` puts `values` in (indices, stably) when they are all strings
/// (code points) or all integers; `None` for anything else.
fn sorted_order(values: &[PyValue]) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    if values.iter().all(|v| matches!(v, PyValue::Str(_))) {
        let text = |i: usize| match &values[i] {
            PyValue::Str(s) => s.as_str(),
            _ => "",
        };
        order.sort_by(|a, b| text(*a).cmp(text(*b)));
    } else {
        let ints: Vec<i128> = values
            .iter()
            .map(|v| match v {
                PyValue::Int(i) => i.parse().ok(),
                _ => None,
            })
            .collect::<Option<_>>()?;
        order.sort_by_key(|i| ints[*i]);
    }
    Some(order)
}

/// A parameter set of one value with no explicit ID or marks.
fn bare_set(value: PyValue) -> ParamSet {
    ParamSet {
        values: vec![value],
        id: None,
        marks: Vec::new(),
    }
}

fn apply_ids(sets: &mut [ParamSet], ids: &[Option<PyValue>]) {
    for (set, id) in sets.iter_mut().zip(ids) {
        if set.id.is_none() {
            if let Some(v) = id {
                set.id = Some(ExplicitId::FromIds(v.clone()));
            }
        }
    }
}

/// Calls that read a file or list a directory (`open(...)`, `path.read_text()`,
/// `runpy.run_path(...)`, `os.listdir(...)`, ...), by the name called.
const FILE_READS: &[&str] = &[
    "open",
    "read_text",
    "read_bytes",
    "iterdir",
    "run_path",
    "listdir",
    "scandir",
    "loadtxt",
    "get_data",
];

/// The attributes of `unittest.TestLoader` that decide which methods of a
/// `TestCase` pytest collects and in what order (its collector asks a fresh
/// `TestLoader().getTestCaseNames`).
const TEST_LOADER_ATTRS: &[&str] = &[
    "sortTestMethodsUsing",
    "testMethodPrefix",
    "testNamePatterns",
];

/// What a module does while it is imported that its source alone cannot answer for
/// (outside function bodies and lambdas, and outside an `if __name__ == "__main__":`
/// block), found in one walk.
#[derive(Default)]
struct ImportTimeEffects {
    /// Where it changes one of [`TEST_LOADER_ATTRS`] (an assignment to
    /// `<anything>.<attr>`, or `setattr(..., "<attr>", ...)`): the change holds for
    /// every module pytest collects after it, so the reason ends with
    /// [`super::REORDERS_ACROSS_MODULES`].
    loader_change: Option<String>,
    /// Where it reads a file or lists a directory ([`FILE_READS`]).
    file_read: Option<String>,
}

fn import_time_effects(root: Node<'_>, src: &[u8]) -> ImportTimeEffects {
    let text = |n: Node<'_>| std::str::from_utf8(&src[n.byte_range()]).unwrap_or("");
    let mut found = ImportTimeEffects::default();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "function_definition" | "lambda" => continue,
            "if_statement"
                if field(n, "condition").is_some_and(|c| text(c).contains("__main__")) =>
            {
                continue
            }
            _ => {}
        }
        if found.loader_change.is_none() {
            if let Some(attr) = loader_attr_changed(n, text) {
                found.loader_change = Some(format!(
                    "changes unittest's TestLoader.{attr} at import time (line {}){}",
                    line_of(n),
                    super::REORDERS_ACROSS_MODULES
                ));
            }
        }
        if found.file_read.is_none() && n.kind() == "call" {
            let called = field(n, "function").and_then(|f| match f.kind() {
                "identifier" => Some(text(f)),
                "attribute" => field(f, "attribute").map(text),
                _ => None,
            });
            if called.is_some_and(|c| FILE_READS.contains(&c)) {
                found.file_read = Some(format!("reads files at import time (line {})", line_of(n)));
            }
        }
        if found.loader_change.is_some() && found.file_read.is_some() {
            break;
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    found
}

/// The [`TEST_LOADER_ATTRS`] entry node `n` sets, if it is an assignment to it or a
/// `setattr` call naming it.
fn loader_attr_changed<'t>(
    n: Node<'_>,
    text: impl Fn(Node<'_>) -> &'t str,
) -> Option<&'static str> {
    match n.kind() {
        "assignment" | "augmented_assignment" => {
            let mut left: Vec<Node<'_>> = field(n, "left").into_iter().collect();
            while let Some(t) = left.pop() {
                match t.kind() {
                    "attribute" => {
                        let attr = field(t, "attribute").map(&text).unwrap_or("");
                        if let Some(a) = TEST_LOADER_ATTRS.iter().find(|a| **a == attr) {
                            return Some(a);
                        }
                    }
                    "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                        let mut c = t.walk();
                        left.extend(t.named_children(&mut c));
                    }
                    _ => {}
                }
            }
            None
        }
        "call" => {
            field(n, "function").filter(|f| f.kind() == "identifier" && text(*f) == "setattr")?;
            let name = field(n, "arguments")?
                .named_child(1)
                .filter(|a| a.kind() == "string")?;
            let bare = text(name).trim_matches(|c| c == '"' || c == '\'');
            TEST_LOADER_ATTRS.iter().copied().find(|a| *a == bare)
        }
        _ => None,
    }
}

fn unparen(mut n: Node<'_>) -> Node<'_> {
    while n.kind() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(inner) if inner.kind() != "comment" => n = inner,
            _ => break,
        }
    }
    n
}

fn line_of(n: Node<'_>) -> u32 {
    u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX)
}

fn definition_of(stmt: Node<'_>) -> Option<Node<'_>> {
    if stmt.kind() == "decorated_definition" {
        field(stmt, "definition")
    } else {
        Some(stmt)
    }
}

/// `a.b.c` → `["a", "b", "c"]`; `None` for anything else.
fn attr_chain(n: Node<'_>, src: &[u8]) -> Option<Vec<String>> {
    match n.kind() {
        "identifier" => Some(vec![std::str::from_utf8(&src[n.byte_range()])
            .ok()?
            .to_string()]),
        "attribute" => {
            let mut chain = attr_chain(field(n, "object")?, src)?;
            let attr = field(n, "attribute")?;
            chain.push(
                std::str::from_utf8(&src[attr.byte_range()])
                    .ok()?
                    .to_string(),
            );
            Some(chain)
        }
        _ => None,
    }
}

/// `a, b = <call>` (not `a = b = ...`, not `x.y = ...`, not a literal tuple).
fn unpacks_computed(left: Node<'_>, right: Node<'_>) -> bool {
    matches!(
        left.kind(),
        "pattern_list" | "tuple_pattern" | "list_pattern"
    ) && !is_literal_display(right)
}

/// A tuple or list display of literals (`HOST, PORT = "localhost", 8000`).
fn is_literal_display(n: Node<'_>) -> bool {
    let n = unparen(n);
    match n.kind() {
        "tuple" | "list" | "expression_list" => {
            let mut c = n.walk();
            let all = n
                .named_children(&mut c)
                .filter(|x| x.kind() != "comment")
                .all(|x| is_literal_display(x) || !maybe_callable(x));
            all
        }
        _ => !maybe_callable(n),
    }
}

/// Whether an assigned value could be callable (anything but a literal display).
fn maybe_callable(n: Node<'_>) -> bool {
    let n = unparen(n);
    !matches!(
        n.kind(),
        "string"
            | "concatenated_string"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "list"
            | "tuple"
            | "dictionary"
            | "set"
            | "list_comprehension"
            | "dictionary_comprehension"
            | "set_comprehension"
            | "generator_expression"
    )
}

/// Whether a module-level value bound to a name could be callable (pytest collects a
/// test-like name only when it is): a literal display, a truth value, a string made
/// from a string literal (`"%s" % x`, `"-".join(...)`) or the result of a call known to
/// return a path string or a list (`os.path.join`, `glob.glob`) is not.
fn maybe_callable_value(n: Node<'_>, src: &[u8]) -> bool {
    let n = unparen(n);
    let string = |x: Node<'_>| unparen(x).kind() == "string";
    match n.kind() {
        "comparison_operator" | "not_operator" => false,
        "binary_operator" => !field(n, "left").is_some_and(string),
        "call" => {
            let Some(f) = field(n, "function") else {
                return true;
            };
            if f.kind() == "attribute" && field(f, "object").is_some_and(string) {
                return false;
            }
            let chain = attr_chain(f, src).unwrap_or_default();
            let chain: Vec<&str> = chain.iter().map(String::as_str).collect();
            !matches!(
                chain.as_slice(),
                [
                    "os",
                    "path",
                    "join"
                        | "abspath"
                        | "dirname"
                        | "basename"
                        | "realpath"
                        | "normpath"
                        | "expanduser"
                        | "relpath"
                        | "exists"
                        | "isfile"
                        | "isdir"
                ] | ["os", "getcwd"]
                    | ["glob", "glob"]
            )
        }
        _ => maybe_callable(n),
    }
}

fn literal_bool(n: Node<'_>) -> Option<bool> {
    match unparen(n).kind() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn identifiers_in(n: Node<'_>, src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if x.kind() == "identifier" {
            if let Ok(s) = std::str::from_utf8(&src[x.byte_range()]) {
                out.push(s.to_string());
            }
        } else if matches!(
            x.kind(),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
        ) {
            let mut c = x.walk();
            stack.extend(x.named_children(&mut c));
        }
    }
    out
}

/// Whether a compound statement defines functions/classes or assigns names anywhere inside.
fn contains_binding(n: Node<'_>) -> bool {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match x.kind() {
            "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "assignment"
            | "import_statement"
            | "import_from_statement"
            // Its capture patterns bind names (`case x:`).
            | "match_statement" => return true,
            _ => {
                let mut c = x.walk();
                stack.extend(x.named_children(&mut c));
            }
        }
    }
    false
}

pub(crate) enum Lit {
    Str(String),
    Bytes(Vec<u8>),
}

/// Decode one string literal token (prefix, quotes, escapes). `None` for f-strings,
/// `\N{...}` names the table does not settle and anything malformed.
pub(crate) fn decode_string(tok: &str) -> Option<Lit> {
    // CPython reads `\r\n` and `\r` as `\n` before tokenizing: a literal spanning such
    // lines has a value this decoder would get wrong.
    if tok.contains('\r') {
        return None;
    }
    let quote_at = tok.find(['\'', '"'])?;
    let prefix = tok[..quote_at].to_ascii_lowercase();
    if prefix.contains('f') || prefix.contains('t') {
        return None;
    }
    let raw = prefix.contains('r');
    let bytes = prefix.contains('b');
    let rest = &tok[quote_at..];
    let q = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        3
    } else {
        1
    };
    if rest.len() < 2 * q {
        return None;
    }
    let body = &rest[q..rest.len() - q];
    if raw {
        return Some(if bytes {
            Lit::Bytes(body.as_bytes().to_vec())
        } else {
            Lit::Str(body.into())
        });
    }
    let mut out_s = String::new();
    let mut out_b: Vec<u8> = Vec::new();
    let mut chars = body.chars().peekable();
    let push_char = |c: char, s: &mut String, b: &mut Vec<u8>| {
        if bytes {
            let mut buf = [0u8; 4];
            b.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            s.push(c);
        }
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_char(c, &mut out_s, &mut out_b);
            continue;
        }
        let e = chars.next()?;
        match e {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' => push_char('\\', &mut out_s, &mut out_b),
            '\'' => push_char('\'', &mut out_s, &mut out_b),
            '"' => push_char('"', &mut out_s, &mut out_b),
            'a' => push_char('\x07', &mut out_s, &mut out_b),
            'b' => push_char('\x08', &mut out_s, &mut out_b),
            'f' => push_char('\x0c', &mut out_s, &mut out_b),
            'n' => push_char('\n', &mut out_s, &mut out_b),
            'r' => push_char('\r', &mut out_s, &mut out_b),
            't' => push_char('\t', &mut out_s, &mut out_b),
            'v' => push_char('\x0b', &mut out_s, &mut out_b),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                if bytes {
                    out_b.push(u8::try_from(v & 0xff).ok()?);
                } else {
                    out_s.push(char::from_u32(v)?);
                }
            }
            'x' => {
                let h: String = (0..2).filter_map(|_| chars.next()).collect();
                let v = u32::from_str_radix(&h, 16).ok()?;
                if bytes {
                    out_b.push(u8::try_from(v).ok()?);
                } else {
                    out_s.push(char::from_u32(v)?);
                }
            }
            'u' | 'U' if !bytes => {
                let n = if e == 'u' { 4 } else { 8 };
                let h: String = (0..n).filter_map(|_| chars.next()).collect();
                out_s.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
            }
            'N' if !bytes => {
                if chars.next()? != '{' {
                    return None;
                }
                let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                out_s.push(super::syntax::unicode_name(&name)?);
            }
            other => {
                // Unknown escapes keep the backslash.
                push_char('\\', &mut out_s, &mut out_b);
                push_char(other, &mut out_s, &mut out_b);
            }
        }
    }
    Some(if bytes {
        Lit::Bytes(out_b)
    } else {
        Lit::Str(out_s)
    })
}

/// An integer literal's decimal `str()`.
pub(crate) fn int_literal(tok: &str) -> Option<String> {
    let t: String = tok.chars().filter(|&c| c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else {
        (10, lower.as_str())
    };
    if lower.ends_with('j') || lower.ends_with('l') {
        return None;
    }
    u128::from_str_radix(digits, radix)
        .ok()
        .map(|v| v.to_string())
}

fn float_literal(tok: &str) -> Option<PyValue> {
    let t: String = tok.chars().filter(|&c| c != '_').collect();
    if let Some(imag) = t.strip_suffix(['j', 'J']) {
        let f: f64 = imag.parse().ok()?;
        let repr = super::params::python_float_repr(f);
        let repr = repr.strip_suffix(".0").unwrap_or(&repr).to_string();
        return Some(PyValue::Complex(format!("{repr}j")));
    }
    t.parse::<f64>().ok().map(PyValue::Float)
}

fn docstring_has_examples(src: &[u8], def: Node<'_>) -> bool {
    let Some(body) = field(def, "body") else {
        return false;
    };
    let mut c = body.walk();
    let first = body.named_children(&mut c).find(|n| n.kind() != "comment");
    first.is_some_and(|f| {
        f.kind() == "expression_statement"
            && f.named_child(0)
                .is_some_and(|s| string_has_examples(src, s))
    })
}

/// Whether the string literal `s` (a docstring) holds a doctest example as doctest's
/// parser finds one: a `>>>` prompt line, not `>>>` in the middle of a line. A string
/// whose value the source does not prove (an f-string) or that the parser would reject
/// counts when it holds `>>>` at all: pytest's own collection then decides.
fn string_has_examples(src: &[u8], s: Node<'_>) -> bool {
    if !matches!(s.kind(), "string" | "concatenated_string") {
        return false;
    }
    let Ok(text) = std::str::from_utf8(&src[s.byte_range()]) else {
        return false;
    };
    if !text.contains(">>>") {
        return false;
    }
    let value = if s.kind() == "string" {
        decode_string(text)
    } else {
        let mut c = s.walk();
        let parts: Vec<Node<'_>> = s
            .named_children(&mut c)
            .filter(|p| p.kind() == "string")
            .collect();
        parts.iter().try_fold(Lit::Str(String::new()), |acc, part| {
            match (
                acc,
                decode_string(std::str::from_utf8(&src[part.byte_range()]).ok()?)?,
            ) {
                (Lit::Str(a), Lit::Str(b)) => Some(Lit::Str(a + &b)),
                _ => None,
            }
        })
    };
    match value {
        Some(Lit::Str(v)) => super::doctest_text_has_examples(&v).unwrap_or(true),
        // doctest's finder skips a docstring that is not a `str`.
        Some(Lit::Bytes(_)) => false,
        None => true,
    }
}

/// Doctest targets: objects whose docstring holds a `>>>` example (see
/// [`string_has_examples`]).
fn collect_doctests(src: &[u8], node: Node<'_>, prefix: &str, out: &mut Vec<String>) {
    collect_doctests_in(src, node, None, prefix, out);
}

/// [`collect_doctests`], with the module's statements as import runs them (`flat`: the
/// branches of decided top-level `if`s in place).
fn collect_doctests_in<'t>(
    src: &[u8],
    node: Node<'t>,
    flat: Option<&[Node<'t>]>,
    prefix: &str,
    out: &mut Vec<String>,
) {
    let body = if node.kind() == "module" {
        Some(node)
    } else {
        field(node, "body")
    };
    let Some(body) = body else { return };
    let mut c = body.walk();
    let stmts: Vec<Node<'_>> = body
        .named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect();
    if let Some(first) = stmts.first() {
        if first.kind() == "expression_statement" {
            if let Some(s) = first.named_child(0) {
                if string_has_examples(src, s) {
                    out.push(prefix.to_string());
                }
            }
        }
    }
    let stmts = flat.map_or(stmts, <[Node<'t>]>::to_vec);
    for s in stmts {
        let Some(def) = definition_of(s) else {
            continue;
        };
        if !matches!(def.kind(), "function_definition" | "class_definition") {
            continue;
        }
        // doctest's finder recurses into classes only, never into function bodies.
        let Some(name) = field(def, "name") else {
            continue;
        };
        let Ok(name) = std::str::from_utf8(&src[name.byte_range()]) else {
            continue;
        };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        if def.kind() == "class_definition" {
            collect_doctests(src, def, &path, out);
        } else if docstring_has_examples(src, def) {
            out.push(path);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn names(o: &Outline) -> Vec<&str> {
        o.bindings.iter().map(|b| b.name.as_str()).collect()
    }

    #[test]
    fn doctests_need_a_prompt_line() {
        let src = b"def mid():\n    \"\"\"See (e.g. >>> 1+1).\"\"\"\n\n\ndef real():\n    \"\"\"\n    >>> 1 + 1\n    2\n    \"\"\"\n\n\nclass K:\n    'x ' '>>> 3'\n\n    def m(self):\n        b'''>>> 1'''\n\n\ndef joined():\n    '''Text\n''' '''    >>> 2\n    2\n'''\n";
        let o = parse_outline(src, true);
        assert_eq!(o.doctests, vec!["real".to_string(), "joined".to_string()]);
    }

    #[test]
    fn functions_stored_on_classes_rename_doctests() {
        let doc = "def f():\n    '''\n    >>> 1\n    1\n    '''\n";
        for (src, renamed) in [
            (format!("class M:\n    pass\n\n{doc}\nM.f = f\n"), true),
            (format!("class M:\n    pass\n\ndef reg(f):\n    setattr(M, f.__name__, f)\n    return f\n\n@reg\n{doc}"), true),
            (format!("class M:\n    x = 1\n\n{doc}\nM.x = 2\n"), true),
            (format!("class M:\n    pass\n\n{doc}\ndef g():\n    M.f = f\n"), false),
            (format!("{doc}\nf.attr = 1\n"), false),
            (format!("class M:\n    pass\n\n{doc}\nother.f = f\n"), false),
        ] {
            let o = parse_outline(src.as_bytes(), true);
            assert_eq!(o.doctest_renaming.is_some(), renamed, "{src}: {:?}", o.doctest_renaming);
        }
        // Without doctests nothing is asked.
        let o = parse_outline(b"class M:\n    pass\nM.f = 1\n", true);
        assert!(o.doctest_renaming.is_none());
    }

    #[test]
    fn first_binding_order_is_kept() {
        let o = parse_outline(
            b"def test_b(): pass\ndef test_a(): pass\ndef test_b(x): pass\n",
            false,
        );
        assert_eq!(names(&o), ["test_b", "test_a"]);
        assert!(o.uncertain.is_empty());
    }

    #[test]
    fn collect_ignore_changed_at_import_is_uncertain() {
        let literal = parse_outline(
            b"collect_ignore = ['a.py']\ndef f():\n    collect_ignore.append('x')\n",
            false,
        );
        assert_eq!(literal.collect_ignore, ["a.py"]);
        assert!(
            literal.uncertain.is_empty() && !literal.dynamic_ignore,
            "{:?}",
            literal.uncertain
        );
        // Literal additions to a literal list, on the branch the interpreter takes.
        for (src, ignore, glob) in [
            (
                "import sys\ncollect_ignore = []\nif sys.version_info < (3, 4):\n    collect_ignore.extend(['old.py'])\nif sys.version_info >= (3, 4):\n    collect_ignore.extend(['b.py', 'c.py'])\n",
                &["b.py", "c.py"][..],
                &[][..],
            ),
            ("collect_ignore = ['a.py']\ncollect_ignore += ['b.py']\n", &["a.py", "b.py"], &[]),
            (
                "collect_ignore_glob = []\ncollect_ignore_glob.append('*_py2.py')\n",
                &[],
                &["*_py2.py"],
            ),
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(o.uncertain.is_empty() && !o.dynamic_ignore, "{src}: {:?}", o.uncertain);
            assert_eq!(o.collect_ignore, ignore, "{src}");
            assert_eq!(o.collect_ignore_glob, glob, "{src}");
        }
        for src in [
            "import os\ncollect_ignore = []\nif os.environ.get('X'):\n    collect_ignore.extend(['b.py'])\n",
            "import glob\ncollect_ignore = []\ncollect_ignore.extend(glob.glob('*.py'))\n",
            "collect_ignore.append('a.py')\n",
            "collect_ignore = ['a.py', 'b.py']\ncollect_ignore.remove('a.py')\n",
            "collect_ignore = ['a.py']\ncollect_ignore[0] = 'b.py'\n",
            "collect_ignore = make()\ncollect_ignore.append('a.py')\n",
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(
                o.dynamic_ignore
                    && o.uncertain.iter().any(|u| u.starts_with("computed collect_ignore")),
                "{src}: {:?}",
                o.uncertain
            );
        }
    }

    #[test]
    fn syntax_error_is_uncertain() {
        let o = parse_outline(b"def test_bad(:\n  pass\n", false);
        assert_eq!(o.uncertain, ["syntax error"]);
    }

    #[test]
    fn parametrize_with_constants_and_aliases() {
        let src = br#"
import pytest as pt
from pytest import mark, param
VALS = [1, "a", None]
@mark.parametrize("x", VALS)
@pt.mark.parametrize("y,z", [(1, 2), param(3, 4, id="three", marks=pt.mark.slow)])
def test_p(x, y, z): pass
"#;
        let o = parse_outline(src, false);
        let BindingKind::Function(f) = &o.bindings.last().unwrap().kind else {
            panic!()
        };
        assert_eq!(f.decorators.marks.len(), 2);
        let MarkDecl::Parametrize(p) = &f.decorators.marks[0] else {
            panic!()
        };
        assert_eq!(p.argnames, ["y", "z"]);
        assert_eq!(p.sets[1].id, Some(ExplicitId::Param("three".into())));
        let MarkDecl::Parametrize(p) = &f.decorators.marks[1] else {
            panic!()
        };
        assert_eq!(p.sets[2].values, [PyValue::None]);
    }

    /// A constant some code changes before pytest reads it is not the literal it was
    /// assigned: the module needs an import (pytest's answer).
    #[test]
    fn mutated_constants_are_not_their_literal() {
        let with = |prelude: &str| {
            let src = format!(
                "import pytest\nimport random\n{prelude}\n@pytest.mark.parametrize('x', CASES)\ndef test_p(x):\n    for c in CASES: pass\n"
            );
            let o = parse_outline(src.as_bytes(), false);
            let f = o
                .bindings
                .iter()
                .find_map(|b| match &b.kind {
                    BindingKind::Function(f) if b.name == "test_p" => Some(f.clone()),
                    _ => None,
                })
                .expect("test_p");
            // Resolved argvalues, or why not.
            match &f.decorators.marks[0] {
                MarkDecl::Parametrize(_) => None,
                MarkDecl::Unknown(why) => Some(why.clone()),
                _ => panic!("not a parametrize mark"),
            }
        };
        for changed in [
            "CASES = []\ndef register(f):\n    CASES.append(f.__name__)\n    return f\n@register\ndef foo(): pass",
            "CASES = [1, 2]\nCASES[0] = 5",
            "CASES = [1, 2]\ndel CASES[0]",
            "CASES = ['x']\nfor i in range(2):\n    CASES.append(str(i))",
            "CASES = [1, 2]\nrandom.shuffle(CASES)",
            "CASES = [1, 2]\nALIAS = CASES",
            "CASES = (1, 2)\ndef grow():\n    global CASES\n    CASES = CASES + (3,)\ngrow()",
            "CASES = {'a': 1}\nCASES.update(b=2)",
            "CASES = [1, 2]\nADD = CASES.append\nADD(3)",
        ] {
            assert!(with(changed).is_some(), "trusted a changed constant:\n{changed}");
        }
        for read in [
            "CASES = [1, 2]\nprint(len(CASES), CASES[0], sorted(CASES))",
            "CASES = [1, 2]\nOTHER = [c * 2 for c in CASES]",
            "CASES = ('a', 'b')\nJOINED = ','.join(CASES)",
            "CASES = [1, 2]\nN = CASES.index(1)\nC = CASES.count(2)",
            // Spelt in a comment, a string, or inside a longer name: not a use.
            "CASES = [1, 2]\n# CASES.append(3)\nS = 'CASES.append(4)'\nMY_CASES = []\nMY_CASES.append(1)\nCASES_2 = [0]\nCASES_2.append(1)",
            "CASES = [1, 2]\nS = 'global CASES'",
        ] {
            assert_eq!(with(read), None, "distrusted a read constant:\n{read}");
        }
    }

    /// `sorted()`, `list()`, `tuple()` and `.keys()` over literals give their values in
    /// Python's order; what only running knows (a set's order, mixed types) does not.
    #[test]
    fn builtin_sequences_of_literals() {
        let values = |expr: &str| {
            let src = format!(
                "import pytest\nD = {{'b': 1, 'a': 2, 'b': 3}}\nS = {{3, 1, 2, 1}}\n@pytest.mark.parametrize('x', {expr})\ndef test_p(x): pass\n"
            );
            let o = parse_outline(src.as_bytes(), false);
            let BindingKind::Function(f) = &o.bindings.last().unwrap().kind else {
                panic!()
            };
            match &f.decorators.marks[0] {
                MarkDecl::Parametrize(p) => Some(
                    p.sets
                        .iter()
                        .map(|s| match &s.values[0] {
                            PyValue::Str(v) | PyValue::Int(v) => v.clone(),
                            other => format!("{other:?}"),
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            }
        };
        assert_eq!(values("sorted(D)").unwrap(), ["a", "b"]);
        assert_eq!(values("list(D)").unwrap(), ["b", "a"]);
        assert_eq!(values("D.keys()").unwrap(), ["b", "a"]);
        assert_eq!(values("sorted(S)").unwrap(), ["1", "2", "3"]);
        assert_eq!(values("tuple(['z', 'é', 'Z'])").unwrap(), ["z", "é", "Z"]);
        assert_eq!(
            values("sorted(['z', 'é', 'Z', 'a'])").unwrap(),
            ["Z", "a", "z", "é"]
        );
        assert_eq!(
            values("sorted([10, -2, 0x10])").unwrap(),
            ["-2", "10", "16"]
        );
        assert_eq!(values("list(S)"), None);
        assert_eq!(values("sorted(['b', 1])"), None);
        assert_eq!(values("sorted(D, reverse=True)"), None);
        assert_eq!(values("list(x for x in D)"), None);
        assert_eq!(values("range(3)").unwrap(), ["0", "1", "2"]);
        assert_eq!(values("list(range(10, 0, -4))").unwrap(), ["10", "6", "2"]);
        assert_eq!(values("'b a\\tc'.split()").unwrap(), ["b", "a", "c"]);
        assert_eq!(values("'a,,b'.split(',')").unwrap(), ["a", "", "b"]);
        assert_eq!(values("sorted('b a'.split())").unwrap(), ["a", "b"]);
        assert_eq!(values("range(0, 3, 0)"), None);
        assert_eq!(values("'a b'.split(maxsplit=1)"), None);
    }

    #[test]
    fn string_decoding() {
        assert!(matches!(decode_string(r#""a\tb""#), Some(Lit::Str(s)) if s == "a\tb"));
        assert!(matches!(decode_string(r#"r"a\tb""#), Some(Lit::Str(s)) if s == "a\\tb"));
        assert!(matches!(decode_string(r#"b"\xc3""#), Some(Lit::Bytes(b)) if b == [0xc3]));
        assert!(decode_string(r#"f"{x}""#).is_none());
        // Named characters: canonical names decode; what the table reads more loosely
        // than CPython (spacing, aliases, lower case) is left unsettled.
        assert!(matches!(decode_string(r#"'\N{BULLET}x'"#), Some(Lit::Str(s)) if s == "\u{2022}x"));
        assert!(decode_string(r#"'\N{ BULLET}'"#).is_none());
        assert!(decode_string(r#"'\N{LATIN_SMALL_LETTER_A}'"#).is_none());
        assert!(decode_string(r#"'\N{NO SUCH NAME}'"#).is_none());
        assert!(matches!(decode_string("'''x'''"), Some(Lit::Str(s)) if s == "x"));
    }

    #[test]
    fn mark_alias_decorator_is_a_mark() {
        let src = b"import pytest\nslow = pytest.mark.slow\nnet = pytest.mark.net(host='a')\n@slow\n@net\ndef test_a(): pass\n";
        let o = parse_outline(src, false);
        let f = o
            .bindings
            .iter()
            .find_map(|b| match &b.kind {
                BindingKind::Function(f) => Some(f),
                _ => None,
            })
            .unwrap();
        let names: Vec<&str> = f
            .decorators
            .marks
            .iter()
            .map(|m| match m {
                MarkDecl::Mark(m, _) => m.name.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(names, ["net", "slow"]);
        assert!(!f.decorators.opaque);
        assert_eq!(o.mark_names, ["slow", "net"]);
    }

    #[test]
    fn decorators_from_unittest_and_mock_are_not_opaque() {
        let src = b"from unittest import mock\nimport unittest\nimport functools\n@mock.patch('x')\n@unittest.skip('y')\ndef test_a(m): pass\n@functools.wraps(f)\ndef test_b(): pass\n";
        let o = parse_outline(src, false);
        let opaque: Vec<bool> = o
            .bindings
            .iter()
            .filter_map(|b| match &b.kind {
                BindingKind::Function(f) => Some(f.decorators.opaque),
                _ => None,
            })
            .collect();
        assert_eq!(opaque, [false, true]);
    }

    #[test]
    fn session_hooks_that_may_write_to_the_terminal() {
        let src = br#"
import shutil, sys

def pytest_sessionstart(session):
    session.started = True

def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree("build", ignore_errors=True)
    if exitstatus:
        print("failed:", exitstatus)

def pytest_unconfigure(config):
    tr = config.pluginmanager.get_plugin("terminalreporter")
    tr.write_line("bye")

def pytest_runtest_setup(item):
    print("not a session hook")

def pytest_runtest_logstart(nodeid, location):
    print("starting", nodeid)

def pytest_runtest_logfinish(nodeid, location):
    FINISHED.append(nodeid)
    with open("log.txt", "a") as fh:
        fh.write(nodeid)
        print("done", file=fh)
    out = Path("x").open("w")
    out.write("x")
"#;
        let quiet = br#"
def pytest_sessionstart(session):
    session.started = True

def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 5:
        session.exitstatus = 0
"#;
        assert_eq!(
            parse_outline(quiet, false).output_hooks,
            ["pytest_sessionfinish"]
        );
        let o = parse_outline(src, false);
        assert_eq!(
            o.hooks,
            [
                "pytest_sessionstart",
                "pytest_sessionfinish",
                "pytest_unconfigure",
                "pytest_runtest_setup",
                "pytest_runtest_logstart",
                "pytest_runtest_logfinish"
            ]
        );
        assert_eq!(
            o.output_hooks,
            [
                "pytest_sessionfinish",
                "pytest_unconfigure",
                "pytest_runtest_logstart"
            ]
        );
    }

    #[test]
    fn hooks_bound_by_import_or_assignment() {
        let src = br#"
import helpers
import pytest_timeout
from helpers import pytest_collection_modifyitems, pytest_sessionfinish as pytest_sessionfinish
from helpers import pytest_plugins
pytest_ignore_collect = helpers.pytest_ignore_collect
pytest_collect_file = Sybil(parsers=[]).pytest()
pytest_version = "1.0"
"#;
        let o = parse_outline(src, false);
        assert_eq!(
            o.hooks,
            [
                "pytest_collection_modifyitems",
                "pytest_sessionfinish",
                "pytest_ignore_collect",
                "pytest_collect_file"
            ]
        );
        // Its body unseen, a session hook may write.
        assert_eq!(o.output_hooks, ["pytest_sessionfinish"]);
    }

    #[test]
    fn controller_hooks_of_a_conftest_telling_xdist_roles_apart() {
        let aware = br#"
import os

def _is_worker(config):
    return hasattr(config, "workerinput")

def pytest_configure(config):
    if not _is_worker(config):
        setup_once()

def pytest_runtest_setup(item):
    pass

def pytest_sessionfinish(session, exitstatus):
    cleanup()
"#;
        assert_eq!(
            parse_outline(aware, false).controller_hooks,
            ["pytest_configure", "pytest_sessionfinish"]
        );
        let env = b"import os\ndef pytest_sessionstart(session):\n    if 'PYTEST_XDIST_WORKER' not in os.environ:\n        go()\n";
        assert_eq!(
            parse_outline(env, false).controller_hooks,
            ["pytest_sessionstart"]
        );
        let plain = b"def pytest_sessionstart(session):\n    go()\n";
        assert!(parse_outline(plain, false).controller_hooks.is_empty());
    }

    #[test]
    fn literal_marker_registrations() {
        let src = br#"
def pytest_configure(config):
    config.addinivalue_line("markers", "slow(reason): slow tests")
    config.addinivalue_line("markers", "db: needs a database")
    if config.getoption("x"):
        config.addinivalue_line("markers", "conditional: not always")
    config.addinivalue_line("markers", MARKER)
"#;
        let o = parse_outline(src, false);
        assert_eq!(o.registered_markers, ["slow", "db"]);
        assert_eq!(o.hooks, ["pytest_configure"]);
    }

    #[test]
    fn a_configure_that_only_registers_markers_is_no_hook() {
        let inert = br#"
def pytest_configure(config):
    """Markers."""
    config.addinivalue_line("markers", "slow: slow tests")  # why
    config.addinivalue_line(
        "markers", "db: needs a database"
    )
"#;
        let o = parse_outline(inert, false);
        assert_eq!(o.registered_markers, ["slow", "db"]);
        assert!(o.hooks.is_empty(), "{:?}", o.hooks);
        for active in [
            "def pytest_configure(config):\n    config.addinivalue_line('filterwarnings', 'error')\n",
            "def pytest_configure(config):\n    config.addinivalue_line('markers', MARKER)\n",
            "def pytest_configure(config):\n    other.addinivalue_line('markers', 'x: y')\n",
            "def pytest_configure(config):\n    config.addinivalue_line('markers', 'x: y')\n    os.environ['A'] = '1'\n",
            "def pytest_configure(config, extra):\n    pass\n",
        ] {
            let o = parse_outline(active.as_bytes(), false);
            assert_eq!(o.hooks, ["pytest_configure"], "{active}");
        }
    }

    #[test]
    fn imports_and_their_names_are_recorded() {
        let src = b"from unittest import TestSuite as S\nimport os.path\n";
        let o = parse_outline(src, false);
        assert!(matches!(
            &o.bindings[0].kind,
            BindingKind::Import { module, name, plain: false } if module == "unittest" && name == "TestSuite"
        ));
        assert!(matches!(
            &o.bindings[1].kind,
            BindingKind::Import { module, name, plain: true } if module == "os.path" && name == "os.path"
        ));
        let mods: Vec<&str> = o.imports.iter().map(|i| i.module.as_str()).collect();
        assert_eq!(mods, ["unittest", "os.path"]);
    }

    #[test]
    fn cpython_rejections_are_uncertain() {
        let o = parse_outline(b"def test_a():\n    pass\n  def oops():\n    pass\n", false);
        assert!(
            o.uncertain[0].starts_with("CPython may reject"),
            "{:?}",
            o.uncertain
        );
        let o = parse_outline(b"return 1\ndef test_a(): pass\n", false);
        assert_eq!(o.uncertain.len(), 1);
    }

    #[test]
    fn strings_spanning_carriage_returns_are_not_decoded() {
        assert!(decode_string("'''a\r\nb'''").is_none());
    }

    #[test]
    fn generators_are_the_defs_that_yield_themselves() {
        let src = b"def test_g():\n    yield 1\ndef test_h():\n    def inner():\n        yield 2\n    return inner\n";
        let o = parse_outline(src, false);
        let gens: Vec<bool> = o
            .bindings
            .iter()
            .filter_map(|b| match &b.kind {
                BindingKind::Function(f) => Some(f.is_generator),
                _ => None,
            })
            .collect();
        assert_eq!(gens, [true, false]);
    }

    #[test]
    fn names_unpacked_from_a_call_are_uncertain() {
        assert!(parse_outline(b"HOST, PORT = 'localhost', 8000\n", false)
            .uncertain
            .is_empty());
        let o = parse_outline(b"(Frozen_A, Source_A) = make_tests(A)\n", false);
        assert_eq!(o.uncertain.len(), 1);
    }

    #[test]
    fn reading_files_at_import_is_noted() {
        for src in [
            &b"from pathlib import Path\nDATA = (Path(__file__).parent / 'x.yml').read_text()\n"[..],
            b"import runpy\nh = runpy.run_path('helper.py')\n",
            b"with open('x') as f:\n    DATA = f.read()\n",
            b"class T:\n    names = os.listdir('.')\n",
        ] {
            let o = parse_outline(src, false);
            assert!(
                o.reads_files
                    .as_deref()
                    .is_some_and(|r| r.starts_with("reads files at import time")),
                "{}",
                String::from_utf8_lossy(src)
            );
            assert!(o.uncertain.is_empty(), "{:?}", o.uncertain);
        }
        for src in [
            &b"def load():\n    return open('x').read()\n"[..],
            b"if __name__ == '__main__':\n    print(open('x').read())\n",
            b"reader = lambda: open('x')\n",
        ] {
            let o = parse_outline(src, false);
            assert_eq!(o.reads_files, None, "{}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn changing_unittests_loader_at_import_is_uncertain_across_modules() {
        for src in [
            &b"import unittest\nunittest.TestLoader.sortTestMethodsUsing = None\n"[..],
            b"from unittest import TestLoader\nTestLoader.testMethodPrefix = 'check'\n",
            b"import unittest as u\nif True:\n    u.TestLoader.testNamePatterns = ['*a*']\n",
            b"import unittest\nsetattr(unittest.TestLoader, 'sortTestMethodsUsing', None)\n",
            b"import unittest\nclass C:\n    unittest.TestLoader.sortTestMethodsUsing = None\n",
        ] {
            let o = parse_outline(src, false);
            let first = o.uncertain.first().map(String::as_str).unwrap_or("");
            assert!(
                first.starts_with("changes unittest's TestLoader.")
                    && first.ends_with(super::super::REORDERS_ACROSS_MODULES),
                "{}: {:?}",
                String::from_utf8_lossy(src),
                o.uncertain
            );
        }
        // Inside a function it runs when called (a test, a fixture): not at collection.
        for src in [
            &b"import unittest\ndef setup_module():\n    unittest.TestLoader.sortTestMethodsUsing = None\n"[..],
            b"import unittest\nloader = unittest.TestLoader()\nprefix = loader.testMethodPrefix\n",
            b"def test_a(x):\n    x.sortTestMethodsUsing = None\n",
        ] {
            let o = parse_outline(src, false);
            assert!(o.uncertain.is_empty(), "{}: {:?}", String::from_utf8_lossy(src), o.uncertain);
        }
    }

    #[test]
    fn dynamic_imports_at_import_time_are_uncertain() {
        let o = parse_outline(
            b"gdbm = import_helper.import_module('dbm.gnu')\ndef test_a(): pass\n",
            false,
        );
        assert_eq!(o.uncertain.len(), 1);
        assert!(o.import_hazard.is_some());
        let o = parse_outline(
            b"def helper():\n    return importlib.import_module('x')\n",
            false,
        );
        assert!(o.uncertain.is_empty());
    }

    #[test]
    fn warnings_at_import_time_are_noted() {
        let first = |src: &str| parse_outline(src.as_bytes(), false).warns_at_import;
        assert_eq!(
            first(
                "import warnings\nwarnings.warn('old', DeprecationWarning)\ndef test_a(): pass\n"
            ),
            Some("`warnings.warn` at import time (line 2)".to_string())
        );
        assert!(
            parse_outline(b"import warnings\nwarnings.warn('x')\n", false)
                .uncertain
                .is_empty()
        );
        assert_eq!(
            first("from warnings import warn\nif True:\n    warn('x')\n"),
            Some("`warn` at import time (line 3)".to_string())
        );
        // In a function (run by a test, not the import), or a `warn` of another module's.
        assert_eq!(
            first("import warnings\ndef helper():\n    warnings.warn('x')\n"),
            None
        );
        assert_eq!(first("from log import warn\nwarn('x')\n"), None);
    }

    #[test]
    fn a_call_to_the_modules_own_function_runs_its_body() {
        let hazard = |src: &str| parse_outline(src.as_bytes(), false).import_hazard;
        // simplejson's `OrderedDict = _import_OrderedDict()`: the name says "import",
        // the body imports statically and raises nothing.
        let compat = "def _import_OrderedDict():\n    import collections\n    try:\n        return collections.OrderedDict\n    except AttributeError:\n        from . import ordered_dict\n        return ordered_dict.OrderedDict\nOrderedDict = _import_OrderedDict()\n";
        assert_eq!(hazard(compat), None);
        // A body that raises, or calls what may (through another local function).
        let raises =
            "def _check():\n    raise ImportError('old')\ndef outer():\n    _check()\nouter()\n";
        assert!(hazard(raises).is_some_and(|w| w.contains("`raise`")));
        let dynamic = "def load():\n    return importlib.import_module('x')\nmod = load()\n";
        assert!(hazard(dynamic).is_some());
        // Mutual recursion ends.
        assert_eq!(hazard("def a():\n    b()\ndef b():\n    a()\na()\n"), None);
        // Rebound before the call: the name no longer holds the function.
        let rebound = "def _import_x():\n    return 1\n_import_x = other\n_import_x()\n";
        assert!(hazard(rebound).is_some());
        // A script's entry point is not import-time code.
        let main = "def main():\n    raise SystemExit(1)\nif __name__ == '__main__':\n    main()\n";
        assert_eq!(hazard(main), None);
        let not_main =
            "def main():\n    raise SystemExit(1)\nif '__main__' != __name__:\n    main()\n";
        assert!(hazard(not_main).is_some());
    }

    #[test]
    fn hooks_assigning_pytests_options_are_found() {
        let sets = |src: &str| parse_outline(src.as_bytes(), false).sets_options;
        // poetry-core's conftest.
        let poetry = "def pytest_configure(config):\n    config.addinivalue_line('markers', 'integration: x')\n    if not config.option.integration:\n        config.option.markexpr = 'not integration'\n";
        assert_eq!(sets(poetry).as_deref(), Some("config.option.markexpr"));
        assert_eq!(
            sets("def pytest_sessionstart(session):\n    session.config.option.verbose += 1\n")
                .as_deref(),
            Some("session.config.option.verbose")
        );
        assert_eq!(
            sets("def pytest_configure(config):\n    setattr(config.option, 'keyword', 'a')\n")
                .as_deref(),
            Some("setattr(config.option, ...)")
        );
        // Reading options, or assigning in a hook that runs later, is not it.
        assert_eq!(
            sets("def pytest_configure(config):\n    x = config.option.markexpr\n"),
            None
        );
        assert_eq!(
            sets("def pytest_collection_modifyitems(config, items):\n    config.option.markexpr = ''\n"),
            None
        );
    }

    #[test]
    fn instantiating_the_modules_own_plain_class_runs_its_constructors() {
        let hazard = |src: &str| parse_outline(src.as_bytes(), false).import_hazard;
        // six's `_importer = _SixMetaPathImporter(__name__)`: the name says "import",
        // the constructor only sets attributes (of the instance, not of a class).
        let six = "class _SixMetaPathImporter(object):\n    def __init__(self, name):\n        self.name = name\n        self.known = {}\n    def find_spec(self, n, p, t=None):\n        raise ImportError(n)\n_importer = _SixMetaPathImporter(__name__)\n";
        let o = parse_outline(six.as_bytes(), false);
        assert_eq!(o.import_hazard, None);
        assert!(o.uncertain.is_empty(), "{:?}", o.uncertain);
        // A constructor that raises, a base whose constructor is elsewhere, a decorated
        // constructor, a metaclass: the call is what it was (a dynamic import here).
        let raises =
            "class Importer:\n    def __new__(cls):\n        raise ImportError('x')\nImporter()\n";
        assert!(hazard(raises).is_some_and(|w| w.contains("`raise`")));
        for class in [
            "class Importer(Base):\n    pass\n",
            "class Importer:\n    @staticmethod\n    def __new__(cls):\n        return 1\n",
            "class Importer(metaclass=M):\n    pass\n",
        ] {
            assert!(hazard(&format!("{class}Importer()\n")).is_some(), "{class}");
        }
        assert_eq!(hazard("class Importer():\n    pass\nImporter()\n"), None);
    }

    #[test]
    fn dunder_all_is_read_when_literal() {
        let all = |src: &str| parse_outline(src.as_bytes(), false).dunder_all;
        assert_eq!(all("x = 1\n"), None);
        assert_eq!(
            all("__all__ = ['a', \"b\"]\n"),
            Some(Some(vec!["a".into(), "b".into()]))
        );
        assert_eq!(all("__all__ = ('a',)\n"), Some(Some(vec!["a".into()])));
        assert_eq!(all("__all__ = ['a']\n__all__ += ['b']\n"), Some(None));
        assert_eq!(all("__all__ = ['a']\n__all__.append('b')\n"), Some(None));
        assert_eq!(all("__all__ = names()\n"), Some(None));
        // Read inside a function: nothing runs at import.
        assert_eq!(
            all("__all__ = ['a']\ndef f():\n    return __all__\n"),
            Some(Some(vec!["a".into()]))
        );
    }

    #[test]
    fn builtins_read_as_builtins_are_listed() {
        let o = parse_outline(
            b"import pytest\nclass TestS(str): pass\n@pytest.mark.parametrize('f', [len])\ndef test_f(f): pass\n",
            false,
        );
        assert!(o.builtins_relied.iter().any(|b| b == "str"));
        assert!(o.builtins_relied.iter().any(|b| b == "len"));
    }

    #[test]
    fn module_level_aliases_are_recorded() {
        let o = parse_outline(
            b"text_type = str\nBase = compat.Base\nstr_ = str\nstr_ = 1\nn = f()\n",
            false,
        );
        assert_eq!(
            o.aliases.get("text_type"),
            Some(&AliasOf::Builtin("str".into()))
        );
        assert_eq!(
            o.aliases.get("Base"),
            Some(&AliasOf::Name("compat.Base".into()))
        );
        assert_eq!(o.aliases.get("str_"), None);
        assert_eq!(o.aliases.get("n"), None);
        // A module that rebinds the builtin aliases its own object.
        let o = parse_outline(b"from x import str\nt = str\n", false);
        assert_eq!(o.aliases.get("t"), Some(&AliasOf::Name("str".into())));
    }

    #[test]
    fn pytest_plugins_specs_are_read_as_pytest_reads_them() {
        let specs = |src: &[u8]| parse_outline(src, false).pytest_plugin_specs;
        let v = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        assert_eq!(specs(b"pytest_plugins = ['pytester']\n"), v(&["pytester"]));
        assert_eq!(specs(b"pytest_plugins = ('a', 'b')\n"), v(&["a", "b"]));
        assert_eq!(
            specs(b"pytest_plugins = 'pytester,x'\n"),
            v(&["pytester", "x"])
        );
        assert_eq!(specs(b"pytest_plugins = ''\n"), v(&[]));
        assert_eq!(specs(b"pytest_plugins = plugins()\n"), None);
        assert_eq!(
            specs(b"pytest_plugins = ['a']\npytest_plugins = ['b']\n"),
            None
        );
        assert!(parse_outline(b"pytest_plugins = plugins()\n", false).pytest_plugins);
    }

    #[test]
    fn quiet_plugins_are_told_apart() {
        let faker_like = b"import pytest\nfrom faker import Faker\n\n@pytest.fixture(scope='session', autouse=True)\ndef _session_faker(request):\n    return Faker()\n\n@pytest.fixture()\ndef faker(request):\n    return request.getfixturevalue('_session_faker')\n";
        assert_eq!(
            quiet_plugin(faker_like),
            Ok(QuietPlugin {
                markers: vec![],
                ini_keys: Some(vec![]),
                header: false,
            })
        );
        let markers = b"import pytest\n\ndef pytest_configure(config):\n    config.addinivalue_line('markers', 'slow: slow tests')\n\n@pytest.fixture\ndef x():\n    return 1\n";
        assert_eq!(
            quiet_plugin(markers).map(|q| q.markers),
            Ok(vec!["slow".to_string()])
        );
        // Options, ini keys and a configure with effects of its own (requests-mock,
        // typeguard): loaded by the engine, which calls both hooks.
        let options = b"def pytest_addoption(parser):\n    parser.addini('mock_case',\n        'help', type='bool')\n    parser.addini(\"other\", 'h')\n    parser.addoption('--x')\n\ndef pytest_configure(config):\n    install_hook(config.getoption('x'))\n";
        assert_eq!(
            quiet_plugin(options),
            Ok(QuietPlugin {
                markers: vec![],
                ini_keys: Some(vec!["mock_case".to_string(), "other".to_string()]),
                header: false,
            })
        );
        let private_like = b"_pytest_version = (9, 2)\n_pytest29 = True\n";
        assert!(quiet_plugin(private_like).is_ok());
        // A private module for an annotation only (pytest-snapshot's).
        let annotated = b"import pytest\nimport _pytest.python\n\n@pytest.fixture\ndef snapshot(request):\n    return _dir(request.node)\n\ndef _dir(node: _pytest.python.Function) -> str:\n    return node.name\n";
        assert!(quiet_plugin(annotated).is_ok());
        // Another plugin's module imported (pytest-aiohttp's fixtures are pytest-asyncio's).
        let imports_plugin = b"import pytest\nimport pytest_asyncio\n\n@pytest_asyncio.fixture\nasync def server():\n    yield 1\n";
        assert!(quiet_plugin(imports_plugin).is_ok());
        // pytest's private classes in annotations only (pytest-click's fixtures).
        let typed = b"from typing import TYPE_CHECKING\nimport pytest\nfrom _pytest.config import Config\nfrom _pytest.fixtures import SubRequest as Req\nif TYPE_CHECKING:\n    from _pytest.nodes import Item\n\ndef pytest_configure(config: Config) -> None:\n    config.addinivalue_line('markers', 'runner_setup: x')\n\n@pytest.fixture\ndef runner(request: Req) -> 'Item':\n    x: Config = request.config\n    return x\n";
        assert_eq!(
            quiet_plugin(typed).map(|q| q.markers),
            Ok(vec!["runner_setup".to_string()])
        );
        let computed = b"def pytest_addoption(parser):\n    parser.addini(NAME, 'help')\n";
        assert_eq!(quiet_plugin(computed).map(|q| q.ini_keys), Ok(None));
        for (src, why) in [
            (&b"def pytest_runtest_setup(item):\n    pass\n"[..], "hook pytest_runtest_setup"),
            (b"def pytest_report_header(config):\n    return 'x'\n", "hook pytest_report_header"),
            (b"from .hooks import pytest_runtest_call\n", "hook pytest_runtest_call"),
            (b"import hooks\npytest_configure = hooks.configure\n", "`pytest_configure` bound otherwise than by a def"),
            (b"from pytest_x import pytest_asyncio\n", "hook pytest_asyncio"),
            (b"pytest_plugins = ['x']\n", "pytest_plugins"),
            (b"from helpers import *\n", "a star import"),
            (b"from _pytest import fixtures\nfixtures.X = 1\n", "pytest's private modules"),
            (b"import _pytest.fixtures\n_pytest.fixtures.X = 1\n", "pytest's private modules"),
            (b"import _pytest.python\n\nclass F(_pytest.python.Function):\n    pass\n", "pytest's private modules"),
            (
                b"from _pytest.fixtures import SubRequest\n\nclass R(SubRequest):\n    pass\n",
                "pytest's private modules",
            ),
            (
                b"from _pytest.config import Config as C\n\ndef pytest_configure(config: C):\n    C.x = 1\n",
                "pytest's private modules",
            ),
            (
                b"from _pytest import fixtures\nimport pytest\n\n@pytest.fixture\ndef f(request: fixtures.SubRequest):\n    fixtures.X = 1\n",
                "pytest's private modules",
            ),
            (b"import pytest\n@pytest.fixture\ndef f(request):\n    request.config.pluginmanager.register(object())\n", "pluginmanager.register"),
            (b"def pytest_configure(config):\n    config.pluginmanager.register(object())\n", "pluginmanager.register"),
        ] {
            assert_eq!(quiet_plugin(src).map(|_| ()), Err(why.to_string()), "{}", String::from_utf8_lossy(src));
        }
    }

    /// Worker plugins: hooks that act only inside a worker's pytest; nothing that draws
    /// on the terminal, reaches the plugin machinery or changes collection.
    #[test]
    fn worker_plugins_are_told_apart() {
        for src in [
            // pytest-recording's: hook specifications of its own, a plugin lookup.
            &b"from _pytest.config import Config, PytestPluginManager\nfrom . import hooks\n\ndef pytest_configure(config: Config) -> None:\n    if config.pluginmanager.has_plugin('vcr'):\n        raise RuntimeError('x')\n    config.addinivalue_line('markers', 'vcr: x')\n\ndef pytest_unconfigure() -> None:\n    pass\n\ndef pytest_addhooks(pluginmanager: PytestPluginManager) -> None:\n    pluginmanager.add_hookspecs(hooks)\n"[..],
            // pyfakefs's: a wrapper around the reporting, writing nothing.
            b"import contextlib\nimport pytest\nfrom _pytest import capture\n\n@pytest.hookimpl(hookwrapper=True, tryfirst=True)\ndef pytest_runtest_logreport(report):\n    with contextlib.nullcontext():\n        yield\n",
            b"import socket\ndef pytest_addoption(parser):\n    parser.addoption('--disable-socket', action='store_true')\ndef pytest_configure(config):\n    config.addinivalue_line('markers', 'disable_socket: x')\ndef pytest_runtest_setup(item):\n    pass\ndef pytest_runtest_teardown():\n    pass\n",
            b"def pytest_assertrepr_compare(config, op, left, right):\n    if not config.get_terminal_writer().hasmarkup:\n        return None\n",
            b"import pytest\nfrom _pytest.skipping import xfailed_key\nfrom _pytest._io.saferepr import saferepr\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    outcome = yield\n    item.stash.get(xfailed_key, None)\n",
            b"SERVER = None\ndef pytest_sessionfinish(session, exitstatus):\n    if SERVER is not None:\n        SERVER.stop()\n",
        ] {
            assert!(worker_plugin(src).is_ok(), "{}", String::from_utf8_lossy(src));
        }
        assert_eq!(
            worker_plugin(b"def pytest_configure(config):\n    config.addinivalue_line('markers', 'disable_socket: x')\n")
                .map(|p| p.markers),
            Ok(vec!["disable_socket".to_string()])
        );
        // pytest-dotenv's and pytest-vcr's early hooks: reading the ini, registering a
        // mark (which counts as registered).
        let dotenv = b"import pytest\nfrom dotenv import load_dotenv\n@pytest.hookimpl(tryfirst=True)\ndef pytest_load_initial_conftests(args, early_config, parser):\n    _override = early_config.getini('env_override_existing_values')\n    for filename in early_config.getini('env_files'):\n        load_dotenv(filename, override=_override)\n";
        assert_eq!(worker_plugin(dotenv).map(|p| p.markers), Ok(vec![]));
        // pytest-base-url's header line: asked by the workers' pytest, and known to be
        // there (a `--collect-only` header is then pytest's).
        let base_url = b"def pytest_report_header(config, start_path):\n    base_url = config.getoption('base_url')\n    if base_url:\n        return 'baseurl: {0}'.format(base_url)\n";
        assert_eq!(worker_plugin(base_url).map(|p| p.header), Ok(true));
        assert_eq!(worker_plugin(dotenv).map(|p| p.header), Ok(false));
        let vcr = b"def pytest_load_initial_conftests(early_config, parser, args):\n    early_config.addinivalue_line('markers', 'vcr: Mark the test as using VCR.py.')\n";
        assert_eq!(
            worker_plugin(vcr).map(|p| p.markers),
            Ok(vec!["vcr".to_string()])
        );
        for src in [
            // Changing the command line, the options or the ini, or passing them on.
            &b"def pytest_load_initial_conftests(early_config, parser, args):\n    args[:] = ['-p', 'x', *args]\n"[..],
            b"def pytest_load_initial_conftests(early_config, parser, args):\n    early_config.known_args_namespace.confcutdir = '/'\n",
            b"def pytest_load_initial_conftests(early_config, parser, args):\n    early_config.addinivalue_line('addopts', '-x')\n",
            b"def pytest_load_initial_conftests(early_config, parser, args):\n    setup(early_config)\n",
        ] {
            assert_eq!(
                worker_plugin(src).map(|_| ()),
                Err("hook pytest_load_initial_conftests".to_string()),
                "{}",
                String::from_utf8_lossy(src)
            );
        }
        for (src, why) in [
            (
                &b"def pytest_terminal_summary(terminalreporter):\n    pass\n"[..],
                "pytest's terminal reporter",
            ),
            (
                b"def pytest_collection_finish(session):\n    pass\n",
                "hook pytest_collection_finish",
            ),
            (
                b"def pytest_collection_modifyitems(items):\n    items.reverse()\n",
                "hook pytest_collection_modifyitems",
            ),
            // Hooks under a condition (pytest-isort's), or imported in a `try`.
            (
                b"import pytest\nPYTEST_VER = (9, 2)\nif PYTEST_VER >= (7, 0):\n    def pytest_collect_file(file_path, parent):\n        return None\nelse:\n    def pytest_collect_file(path, parent):\n        return None\n",
                "hook pytest_collect_file",
            ),
            (
                b"try:\n    from ._hooks import pytest_collection_modifyitems\nexcept ImportError:\n    pass\n",
                "hook pytest_collection_modifyitems",
            ),
            (
                b"def pytest_generate_tests(metafunc):\n    pass\n",
                "hook pytest_generate_tests",
            ),
            (
                b"def pytest_runtest_protocol(item, nextitem):\n    pass\n",
                "hook pytest_runtest_protocol",
            ),
            (
                b"def pytest_runtest_logreport(report):\n    print(report.nodeid)\n",
                "hook pytest_runtest_logreport",
            ),
            (
                b"import sys\ndef pytest_runtest_logreport(report):\n    sys.stderr.write('x')\n",
                "hook pytest_runtest_logreport",
            ),
            (
                b"def pytest_configure(config):\n    config.pluginmanager.register(object())\n",
                "pluginmanager.register",
            ),
            (
                b"from _pytest.terminal import TerminalReporter\nTerminalReporter.x = 1\n",
                "pytest's terminal reporter",
            ),
            (
                b"from _pytest.python import Function\nclass F(Function):\n    pass\n",
                "pytest's private module `_pytest.python`",
            ),
            (
                b"import _pytest\n_pytest.x = 1\n",
                "pytest's private module `_pytest`",
            ),
            (
                b"from _pytest import pathlib, terminal as t\nt.x = 1\n",
                "pytest's private module `_pytest.terminal`",
            ),
            (
                b"from _pytest import (\n    capture,\n)\ncapture.x = 1\n",
                "pytest's private module `_pytest`",
            ),
        ] {
            assert_eq!(
                worker_plugin(src).map(|_| ()),
                Err(why.to_string()),
                "{}",
                String::from_utf8_lossy(src)
            );
        }
    }

    #[test]
    fn blocks_binding_only_imports_and_values_are_certain() {
        for src in [
            "try:\n    import twisted\nexcept ImportError:\n    twisted = None\n",
            "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import Y\n",
            "try:\n    import numpy as np\n    HAS_NP, NP_VERSION = True, np.__version__\nexcept ImportError as e:\n    HAS_NP = False\n",
            "with open(__file__) as f:\n    SOURCE = f.read()\n",
            // A decided condition: import runs one branch, read like the module's own.
            "if True:\n    def test_x():\n        pass\n",
            "import sys\nif sys.version_info < (3, 0):\n    class TestA:\n        pass\n",
            // Lambdas inside a value (icalendar's conftest).
            "if HAS_PYTZ:\n    ZONES = [lambda dt, name: dt]\nelse:\n    ZONES = []\n",
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(o.uncertain.is_empty(), "{src}: {:?}", o.uncertain);
        }
        // Undecorated helpers under a condition (with no `test` in their names) are
        // values of unknown kind.
        for (src, name) in [
            ("try:\n    from s import Server\nexcept ImportError:\n    class Server(object):\n        pass\n    def helper():\n        pass\n", "helper"),
            ("if FLAG:\n    class Server:\n        pass\n", "Server"),
            // A lambda bound to a test's name: a value that may be a function (which
            // collection leaves to pytest's import).
            ("if FLAG:\n    test_x = lambda: None\n", "test_x"),
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(o.uncertain.is_empty(), "{src}: {:?}", o.uncertain);
            assert!(
                o.bindings.iter().any(|b| b.name == name
                    && matches!(b.kind, BindingKind::Value { maybe_callable: true })),
                "{src}"
            );
        }
        for src in [
            // A class deriving from anything but builtins may be a TestCase by any name.
            "try:\n    import trio\n    class TrioTests(Base):\n        pass\nexcept ImportError:\n    pass\n",
            "try:\n    import trio\nexcept ImportError:\n    class Meta(object, metaclass=M):\n        pass\n",
            "if FLAG:\n    @pytest.fixture\n    def db():\n        pass\n",
            "if FLAG:\n    def test_x():\n        pass\n",
            "if FLAG:\n    class TestA:\n        pass\n",
            "if FLAG:\n    def check_test():\n        pass\n",
            "try:\n    from helpers import *\nexcept ImportError:\n    pass\n",
            "for i in range(3):\n    globals()[f'test_{i}'] = lambda: None\n",
            "if FLAG:\n    pytestmark = []\n",
            "try:\n    from plug import pytest_configure\nexcept ImportError:\n    pass\n",
            "if FLAG:\n    X = 1\n    setattr(mod, 'test_x', f)\n",
            "try:\n    import x\nexcept ImportError:\n    collect_ignore = ['test_x.py']\n",
            "try:\n    from pytest import mark\nexcept ImportError:\n    mark = None\n",
            "if FLAG:\n    import pytest as pt\n",
            "if FLAG:\n    fx = pytest.fixture(lambda: 1)\n",
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(!o.uncertain.is_empty(), "{src}");
        }
    }

    #[test]
    fn generate_tests_guarded_by_fixture_names() {
        let guard = |body: &str| {
            let src = format!("def pytest_generate_tests(metafunc):\n{body}");
            parse_outline(src.as_bytes(), false).generate_tests_guard
        };
        let names = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            guard("    \"\"\"Doc.\"\"\"\n    if 'a' in metafunc.fixturenames:\n        metafunc.parametrize('a', [1])\n    elif \"b\" in metafunc.fixturenames and x:\n        pass\n    else:\n        pass\n"),
            names(&["a", "b"])
        );
        assert_eq!(
            guard("    if ('c' in metafunc.fixturenames) or 'd' in metafunc.fixturenames:\n        f(metafunc)\n"),
            names(&["c", "d"])
        );
        // Acting on every function, or deciding by something else: no guard.
        assert_eq!(guard("    metafunc.parametrize('a', [1])\n"), None);
        assert_eq!(
            guard("    if 'a' in metafunc.fixturenames or x:\n        pass\n"),
            None
        );
        assert_eq!(
            guard("    if 'a' not in metafunc.fixturenames:\n        pass\n"),
            None
        );
        assert_eq!(
            guard("    if 'a' in metafunc.fixturenames:\n        pass\n    else:\n        g()\n"),
            None
        );
        assert_eq!(
            guard("    if metafunc.function.__name__ == 'x':\n        pass\n"),
            None
        );
        assert_eq!(
            guard("    if 'a' in other.fixturenames:\n        pass\n"),
            None
        );
    }

    #[test]
    fn conditions_imported_from_another_module_are_decided_by_its_values() {
        let flags =
            "import sys\nPY310 = sys.version_info[:2] >= (3, 10)\nOLD = sys.version_info < (3,)\n\
                     TWICE = True\nTWICE = sys.version_info < (3,)\nFN = True\ndef FN(): pass\n\
                     G = True\ndef flip():\n    global G\n    G = False\n";
        let o = parse_outline_for(flags.as_bytes(), false, PyVersion(3, 11));
        // `TWICE` has two values, `FN` ends as a function, a function may rebind `G`:
        // none is a constant.
        assert_eq!(
            o.conditions,
            [("OLD".to_string(), false), ("PY310".to_string(), true)]
        );
        let src = "from flags import PY310, OLD as ANCIENT\nimport flags\n\
                   if PY310:\n    def test_new(): pass\nif ANCIENT:\n    def test_old(): pass\n";
        let plain = parse_outline_for(src.as_bytes(), false, PyVersion(3, 11));
        assert_eq!(
            plain.wanted_conditions,
            [
                ("flags".to_string(), "OLD".to_string()),
                ("flags".to_string(), "PY310".to_string())
            ]
        );
        assert!(!plain.uncertain.is_empty(), "undecided without the values");
        let seeds: ImportedConditions = [
            (("flags".to_string(), "PY310".to_string()), true),
            (("flags".to_string(), "OLD".to_string()), false),
        ]
        .into_iter()
        .collect();
        let seeded = parse_outline_seeded(src.as_bytes(), false, PyVersion(3, 11), &seeds);
        assert!(seeded.uncertain.is_empty(), "{:?}", seeded.uncertain);
        let tests: Vec<&str> = names(&seeded)
            .into_iter()
            .filter(|n| n.starts_with("test_"))
            .collect();
        assert_eq!(tests, ["test_new"]);
        // A later binding of the name (another import) takes the value away.
        let rebound = format!("{src}from other import PY310\nif PY310:\n    def test_x(): pass\n");
        let o = parse_outline_seeded(rebound.as_bytes(), false, PyVersion(3, 11), &seeds);
        assert!(!o.uncertain.is_empty());
    }

    #[test]
    fn version_conditions_are_decided_for_the_interpreter() {
        // Python 3.11: which of `test_yes` / `test_no` a module defines, or neither
        // known (`None`: the condition depends on more than (major, minor)).
        let decided = |cond: &str| -> Option<bool> {
            let src = format!(
                "import sys\nimport typing as t\nfrom typing import TYPE_CHECKING as TC\n\
                 if {cond}:\n    def test_yes(): pass\nelse:\n    def test_no(): pass\n"
            );
            let o = parse_outline_for(src.as_bytes(), false, PyVersion(3, 11));
            let n = names(&o);
            match (
                n.contains(&"test_yes"),
                n.contains(&"test_no"),
                o.uncertain.is_empty(),
            ) {
                (true, false, true) => Some(true),
                (false, true, true) => Some(false),
                _ => None,
            }
        };
        let cases = [
            ("sys.version_info >= (3, 11)", Some(true)),
            ("sys.version_info >= (3, 12)", Some(false)),
            ("sys.version_info > (3, 11)", Some(true)),
            ("sys.version_info == (3, 11)", Some(false)),
            ("sys.version_info < (3, 11, 2)", None),
            ("sys.version_info[0] == 3", Some(true)),
            ("sys.version_info[1] >= 10", Some(true)),
            ("sys.version_info[:2] == (3, 11)", Some(true)),
            ("sys.version_info[0:2] >= (3, 4)", Some(true)),
            ("sys.version_info[0:1] == (2,)", Some(false)),
            ("sys.version_info.minor < 9", Some(false)),
            ("sys.version_info >= 3", None),
            (
                "not sys.version_info >= (3, 12) and sys.version_info >= (3,)",
                Some(true),
            ),
            ("TC", Some(false)),
            ("t.TYPE_CHECKING", Some(false)),
            ("sys.platform == 'linux'", None),
        ];
        for (cond, want) in cases {
            assert_eq!(decided(cond), want, "{cond}");
        }
    }

    #[test]
    fn classes_changed_after_their_statement_are_uncertain() {
        let unc = |src: &str| !parse_outline(src.as_bytes(), false).uncertain.is_empty();
        let class = "class TestA:\n    def test_a(self): pass\n";
        assert!(!unc(class));
        assert!(unc(&format!(
            "{class}def f(self): pass\nTestA.test_b = f\n"
        )));
        assert!(unc(&format!("{class}del TestA.test_a\n")));
        assert!(unc(&format!(
            "{class}for i in range(2):\n    setattr(TestA, 'test_%d' % i, lambda self: None)\n"
        )));
        assert!(unc(&format!(
            "{class}def add(cls):\n    cls.test_x = lambda self: None\nadd(TestA)\n"
        )));
        // Attributes of other objects, and code in bodies that do not run at import.
        assert!(!unc(&format!("import os\nos.environ_x = 1\n{class}")));
        assert!(!unc(&format!(
            "{class}def test_patch(monkeypatch):\n    setattr(TestA, 'x', 1)\n    TestA.y = 2\n"
        )));
    }

    #[test]
    fn imports_of_branches_that_never_run_need_not_resolve() {
        let src = "import sys\nif sys.version_info >= (3, 0, 0):\n    from io import BytesIO\nelse:\n    from StringIO import StringIO as BytesIO\nif sys.version_info < (3,):\n    import cPickle\nimport json\n";
        let o = parse_outline_for(src.as_bytes(), false, PyVersion(3, 11));
        let mods: Vec<&str> = o.imports.iter().map(|i| i.module.as_str()).collect();
        assert_eq!(mods, ["sys", "io", "json"]);
    }

    #[test]
    fn decided_ifs_in_a_class_body_are_read_as_their_branch() {
        let src = "import sys\nPY3 = sys.version_info[0] == 3\nclass TestA:\n    if PY3:\n        def test_new(self): pass\n    else:\n        def test_old(self): pass\n    if sys.version_info < (3, 8):\n        def test_ancient(self): pass\n    elif sys.version_info >= (3, 10):\n        if True:\n            def test_nested(self): pass\n";
        let o = parse_outline_for(src.as_bytes(), false, PyVersion(3, 11));
        let BindingKind::Class(c) = &o.bindings.last().expect("class").kind else {
            panic!("not a class");
        };
        let body: Vec<&str> = c.body.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(body, ["test_new", "test_nested"]);
        assert!(c.uncertain.is_empty(), "{:?}", c.uncertain);
        // A constant given two values decides nothing; an undecided `if` stays uncertain.
        let src = "FLAG = True\nFLAG = False\nclass TestB:\n    if FLAG:\n        def test_x(self): pass\n";
        let o = parse_outline(src.as_bytes(), false);
        let BindingKind::Class(c) = &o.bindings.last().expect("class").kind else {
            panic!("not a class");
        };
        assert_eq!(c.uncertain.len(), 1);
    }

    #[test]
    fn an_importorskip_of_a_named_module_is_an_import() {
        let o = parse_outline(
            b"import pytest\nnp = pytest.importorskip('numpy.linalg', reason='x')\ndef test_a(): pass\n",
            false,
        );
        assert!(o.uncertain.is_empty(), "{:?}", o.uncertain);
        assert!(o.import_hazard.is_some());
        assert!(o
            .imports
            .iter()
            .any(|i| i.module == "numpy.linalg" && i.line == 2));
        for src in [
            "import pytest\npytest.importorskip('numpy', minversion='1.0')\n",
            "import pytest\nname = 'numpy'\npytest.importorskip(name)\n",
            "from pytest import importorskip\nimportorskip('numpy', '1.0')\n",
        ] {
            let o = parse_outline(src.as_bytes(), false);
            assert!(!o.uncertain.is_empty(), "{src}");
        }
    }

    #[test]
    fn platform_conditions_are_decided_on_a_known_platform() {
        let names = |src: &str, platform: Platform| {
            let target = Target {
                python: PyVersion(3, 11),
                platform,
                ..Target::default()
            };
            let o = parse_outline_for(src.as_bytes(), false, target);
            let names: Vec<String> = o.bindings.iter().map(|b| b.name.clone()).collect();
            (names, o.uncertain)
        };
        let src = "import os, sys\nimport platform as plat\nfrom sys import platform\n\
            WIN = sys.platform.startswith(('win', 'cygwin'))\n\
            if WIN:\n    def test_win(): pass\n\
            if sys.platform == 'linux':\n    def test_linux(): pass\n\
            elif 'darwin' != sys.platform:\n    def test_other(): pass\n\
            if os.name == 'nt' and not any(os.environ.get(n) for n in ('USER',)):\n    os.environ['USER'] = 'u'\n\
            if plat.system() in ('Linux', 'Darwin'):\n    def test_posix(): pass\n\
            if platform in ['darwin']:\n    def test_mac(): pass\n\
            if 'win' in sys.platform:\n    def test_win_substring(): pass\n";
        let (linux, uncertain) = names(src, Platform::Linux);
        assert!(uncertain.is_empty(), "{uncertain:?}");
        let tests: Vec<&String> = linux.iter().filter(|n| n.starts_with("test_")).collect();
        assert_eq!(tests, ["test_linux", "test_posix"]);
        let (mac, _) = names(src, Platform::Darwin);
        let tests: Vec<&String> = mac.iter().filter(|n| n.starts_with("test_")).collect();
        // ("win" is in "darwin": what the interpreter computes, not what was meant.)
        assert_eq!(tests, ["test_posix", "test_mac", "test_win_substring"]);
        let (win, uncertain) = names(src, Platform::Windows);
        let tests: Vec<&String> = win.iter().filter(|n| n.starts_with("test_")).collect();
        assert_eq!(tests, ["test_win", "test_other", "test_win_substring"]);
        // The `os.environ` assignment under the taken `if` is import-time code.
        assert!(!uncertain.is_empty());
        // An unknown platform decides nothing; neither does a rebound-looking reading
        // fastest does not model (`sys.platform[:3]`).
        let (_, uncertain) = names(src, Platform::Unknown);
        assert!(!uncertain.is_empty());
        let (_, uncertain) = names(
            "import sys\nif sys.platform[:3] == 'win':\n    def test_x(): pass\n",
            Platform::Linux,
        );
        assert!(!uncertain.is_empty());
    }

    #[test]
    fn implementation_conditions_are_decided_on_a_known_implementation() {
        // cattrs' conftest: what pytest ignores depends on the implementation.
        let src = "import platform, sys\ncollect_ignore_glob = []\n\
            if platform.python_implementation() == 'PyPy':\n    collect_ignore_glob.append('*_cpython.py')\n\
            if sys.implementation.name != 'pypy':\n    collect_ignore_glob.append('*_pypy.py')\n";
        let outline = |implementation| {
            let target = Target {
                python: PyVersion(3, 11),
                implementation,
                ..Target::default()
            };
            parse_outline_for(src.as_bytes(), false, target)
        };
        let cpython = outline(Implementation::CPython);
        assert!(!cpython.dynamic_ignore, "{:?}", cpython.uncertain);
        assert_eq!(cpython.collect_ignore_glob, ["*_pypy.py"]);
        let pypy = outline(Implementation::PyPy);
        assert!(!pypy.dynamic_ignore, "{:?}", pypy.uncertain);
        assert_eq!(pypy.collect_ignore_glob, ["*_cpython.py"]);
        let unknown = outline(Implementation::Unknown);
        assert!(unknown.dynamic_ignore);
    }

    #[test]
    fn test_names_bound_to_plain_values_are_not_tests() {
        let callable = |value: &str| {
            let o = parse_outline(
                format!("import os, glob\ntest_x = {value}\n").as_bytes(),
                false,
            );
            matches!(
                o.bindings.last().map(|b| &b.kind),
                Some(BindingKind::Value {
                    maybe_callable: true
                })
            )
        };
        assert!(!callable("os.path.join(os.path.dirname(__file__), 'data')"));
        assert!(!callable("glob.glob('*.py')"));
        assert!(!callable("(implementation() == 'CPython')"));
        assert!(!callable("'%s-%s' % (a, b)"));
        assert!(!callable("'-'.join(parts)"));
        assert!(callable("make_test()"));
        assert!(callable("a + b"));
        assert!(callable("functools.partial(f, 1)"));
    }

    #[test]
    fn typed_dict_classes_take_no_other_bases() {
        let hazard = |src: &str| parse_outline(src.as_bytes(), false).import_hazard;
        let td = "import typing as t\nfrom typing import TypedDict\nclass A(t.TypedDict):\n    x: int\nclass B(TypedDict, total=False):\n    y: int\nclass C(A, B):\n    pass\n";
        assert_eq!(hazard(td), None);
        assert!(hazard(&format!("{td}class D(A, object):\n    pass\n")).is_some());
        assert!(hazard(&format!(
            "{td}class Mixin: pass\nclass E(Mixin, B):\n    pass\n"
        ))
        .is_some());
    }

    #[test]
    fn named_tuple_bodies_are_checked_as_typing_checks_them() {
        let uncertain = |body: &str| {
            let src = format!("from typing import NamedTuple\nclass P(NamedTuple):\n{body}\n");
            !parse_outline(src.as_bytes(), false).uncertain.is_empty()
        };
        assert!(!uncertain(
            "    \"doc\"\n    x: int\n    y: int = 0\n    label = 'p'\n    def f(self): pass"
        ));
        assert!(
            uncertain("    x: int = 0\n    y: int"),
            "a field without a default after one with"
        );
        assert!(uncertain("    _x: int"), "an underscore field");
        assert!(
            uncertain("    x: int\n    def _asdict(self): pass"),
            "a prohibited name"
        );
        assert!(uncertain("    if True:\n        x: int"), "a block");
    }

    #[test]
    fn star_import_is_uncertain() {
        let o = parse_outline(b"from helpers import *\n", false);
        assert_eq!(o.uncertain.len(), 1);
    }

    #[test]
    fn plugin_machinery_beyond_the_lookups_is_noted() {
        let m = |src: &str| pytest_machinery_use(src.as_bytes());
        // flask's logging tests take pytest's logging plugin out for a while, which
        // the native engine's log capture honours; any other plugin is pytest's.
        assert_eq!(
            m("def f(pytestconfig):\n    p = pytestconfig.pluginmanager.unregister(name='logging-plugin')\n\n    yield\n    if p:\n        pytestconfig.pluginmanager.register(p, \"logging-plugin\")\n"),
            None
        );
        assert_eq!(
            m("pm.pluginmanager.register( p , name = 'logging-plugin' , )\n"),
            None
        );
        assert_eq!(
            m("p = config.pluginmanager.unregister(name='terminalreporter')\n"),
            Some("pluginmanager.unregister".into())
        );
        assert_eq!(
            m("p = config.pluginmanager.unregister(plugin)\n"),
            Some("pluginmanager.unregister".into())
        );
        assert_eq!(
            m("config.pluginmanager.register(p, 'logging-plugins')\n"),
            Some("pluginmanager.register".into())
        );
        assert_eq!(
            m("config.pluginmanager.register(p)\n"),
            Some("pluginmanager.register".into())
        );
        assert_eq!(
            m("pm = config.pluginmanager\n"),
            Some("pytest's plugin manager".into())
        );
        // Lookups of plugin modules by a literal name: the native engine answers them.
        for src in [
            "if config.pluginmanager.hasplugin('xdist'):\n    pass\n",
            "x = request.config.pluginmanager.has_plugin( \"asyncio\" )\n",
            "p = config.pluginmanager.getplugin(\"xdist.looponfail\")\n",
            "p = config.pluginmanager.get_plugin('pytest_cov')\n",
        ] {
            assert_eq!(m(src), None, "{src}");
        }
        // Objects pytest registers, computed names, and a lookup followed by another use.
        for (src, what) in [
            ("config.pluginmanager.getplugin('terminalreporter')\n", "pluginmanager.getplugin"),
            ("config.pluginmanager.hasplugin('session')\n", "pluginmanager.hasplugin"),
            ("config.pluginmanager.hasplugin(name)\n", "pluginmanager.hasplugin"),
            ("config.pluginmanager.hasplugin('a' + b)\n", "pluginmanager.hasplugin"),
            ("config.pluginmanager.hasplugin(f'x')\n", "pluginmanager.hasplugin"),
            (
                "if config.pluginmanager.hasplugin('xdist'):\n    config.pluginmanager.register(P())\n",
                "pluginmanager.register",
            ),
        ] {
            assert_eq!(m(src), Some(what.to_string()), "{src}");
        }
        assert_eq!(
            m("request.config.hook.pytest_x(a=1)\n"),
            Some("config.hook".into())
        );
        assert_eq!(
            m("pytestconfig.hook.pytest_x()\n"),
            Some("config.hook".into())
        );
        assert_eq!(
            m("item.ihook.pytest_runtest_setup(item=item)\n"),
            Some("a node's ihook".into())
        );
        // pytest_addoption's whole signature, the argument unused (multidict's conftest).
        assert_eq!(
            m("def pytest_addoption(\n    parser: pytest.Parser,\n    pluginmanager: pytest.PytestPluginManager,\n) -> None:\n    del pluginmanager\n    parser.addoption('--x')\n"),
            None
        );
        assert_eq!(
            m("def pytest_addoption(parser, pluginmanager):\n    pluginmanager.register(object())\n"),
            Some("pluginmanager.register".into())
        );
        assert_eq!(
            m("def pytest_configure(config, pluginmanager):\n    pass\n"),
            Some("pytest's plugin manager".into())
        );
        // Lookups of what pytest registers as objects answer for the session's own.
        assert_eq!(
            m("r = request.config.pluginmanager.getplugin('terminalreporter')\n"),
            Some("pluginmanager.getplugin".into())
        );
        // Look-alike names.
        assert_eq!(
            m("my_pluginmanagers = 1\nwebhook.send()\nconfig.hooks = 2\nihooked = 1\n"),
            None
        );
        let o = parse_outline(
            b"def test_a(pytestconfig):\n    pytestconfig.pluginmanager.register(object())\n",
            false,
        );
        assert_eq!(o.pytest_machinery, Some("pluginmanager.register".into()));
    }
}

//! Python collection rules over parsed outlines: which names are tests (pytest's
//! `python_classes` / `python_functions` matching, `__test__`, unittest.TestCase),
//! inherited methods in reverse-MRO order, nested classes, the fixture closure and the
//! parametrize product that gives each item its `[id]`.
//!
//! Returns `Err(reason)` whenever pytest's answer depends on something only an import
//! would show; the caller then collects that file through the import fallback.

use std::collections::{HashMap, HashSet};

use super::external::ExternalClass;
use super::params::{make_ids, ParamSet};
use super::params::{OpaqueKey, Origin, PyValue};
use super::parse::{
    Base, Binding, BindingKind, Class, Fixture, Func, Indirect, MarkDecl, Outline, Parametrize,
};
use super::REORDERS_ACROSS_MODULES;
use crate::glob::NameMatcher;
use crate::item::{CallParam, ChainNode, Item, Mark, NodeKind, ParamScope, RunSpec, ScopedParam};

/// One parametrization call: its argnames and parameter sets.
type ParamCall = (Vec<String>, Vec<ParamSet>);

/// An item of the parametrize product as it is built: its id parts, the marks of its
/// parameter sets, its callspec and its scoped parameters.
type Spec = (Vec<String>, Vec<Mark>, Vec<CallParam>, Vec<ScopedParam>);

/// What `ModuleCx::fixture_params` finds: parametrized fixtures' calls, the
/// external fixtures, every name of the closure.
struct ClosureFacts {
    /// Parametrized fixtures' calls with the fixture's scope.
    calls: Vec<(ParamCall, Option<ParamScope>)>,
    external: Vec<String>,
    closure: Vec<String>,
    isolated: bool,
    /// Per name of the closure a module, class or conftest defines: the scope of its
    /// closest definition (pytest's `fixturedefs[-1]`).
    closest_scopes: HashMap<String, Result<Option<ParamScope>, String>>,
    /// Every name some fixture of the closure requests.
    requested: HashSet<String>,
}

/// Fixtures defined outside the project whose scope is known to be function or session
/// (pytest's builtins, pytest-xdist's, pytest-mock's `mocker`): they leave an item
/// isolated ([`RunSpec::isolated`]).
const PER_TEST_OR_WORKER: &[&str] = &[
    "cache",
    "capfd",
    "capfdbinary",
    "caplog",
    "capsys",
    "capsysbinary",
    "capteesys",
    "doctest_namespace",
    "mocker",
    "monkeypatch",
    "pytestconfig",
    "record_property",
    "record_testsuite_property",
    "record_xml_attribute",
    "recwarn",
    "request",
    "subtests",
    "testrun_uid",
    "tmp_path",
    "tmp_path_factory",
    "tmpdir",
    "tmpdir_factory",
    "worker_id",
];

/// pytest's xunit setups (and unittest's) of a module and of a class: each runs once per
/// module or class in each process that runs some of its items.
const MODULE_XUNIT: &[&str] = &[
    "setUpModule",
    "setup_module",
    "tearDownModule",
    "teardown_module",
];
const CLASS_XUNIT: &[&str] = &[
    "setUpClass",
    "setup_class",
    "tearDownClass",
    "teardown_class",
];

/// Name matchers from the ini (`python_classes`, `python_functions`).
pub struct NameRules {
    pub classes: NameMatcher,
    pub functions: NameMatcher,
    /// The `parametrize_long_str_id_strategy` ini.
    pub long_strings: LongStrIds,
    /// The `strict_parametrization_ids` ini (or `strict`): duplicate IDs in one
    /// parametrization are pytest's collection error, not suffixed.
    pub strict_ids: bool,
}

/// What pytest 9.2 makes of a str or bytes value over 100 characters in an
/// auto-generated ID (the `parametrize_long_str_id_strategy` ini).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LongStrIds {
    /// `short` (the default): `argname + index`.
    #[default]
    Short,
    /// `legacy`: the escaped value, however long.
    Legacy,
    /// `sha256`, `disallow` or a value pytest rejects: the import fallback settles it.
    Other,
}

impl LongStrIds {
    /// The ini's value as written (`None`: not set).
    pub fn from_ini(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("short") => Self::Short,
            Some("legacy") => Self::Legacy,
            Some(_) => Self::Other,
        }
    }
}

/// What a module sees from outside: conftest fixtures, outermost conftest first.
/// Answers whether `from module import name` binds a submodule
/// ([`super::certainty::Certainty::binds_submodule`] for one file).
pub type SubmoduleCheck<'a> = &'a dyn Fn(&str, &str) -> bool;

/// The facts of an inert class another module defines, by the text this module names
/// it with ([`super::external::Resolver::class`] for one file).
pub type ExternalCheck<'a> = &'a dyn Fn(&str) -> Option<ExternalClass>;

pub struct ModuleScope<'a> {
    pub conftest_fixtures: Vec<&'a Fixture>,
    /// The installed plugins' fixtures ([`super::certainty::Certainty::plugin_fixtures`]).
    pub plugin_fixtures: &'a [Fixture],
    /// Whether `from module import name` binds the submodule `module.name` in this
    /// file (`from falcon import testing`); `None` when imports are not resolved.
    pub submodule: Option<SubmoduleCheck<'a>>,
    /// Classes from other modules; `None` when imports are not resolved.
    pub external: Option<ExternalCheck<'a>>,
    /// Parameter values other modules define (enum members), by their text here.
    pub external_value: Option<ExternalValue<'a>>,
    /// The module's path: what places the classes and functions it defines
    /// ([`Origin::Local`]); `None` when unknown (their keys are unknown then).
    pub here: Option<&'a std::path::Path>,
}

/// The value another module's source gives an attribute reached through an import
/// ([`super::external::Resolver::value`] for one file).
pub type ExternalValue<'a> = &'a dyn Fn(&str) -> Option<PyValue>;

/// pytest collects every `unittest.TestCase` subclass in a module's namespace whatever
/// its name (`BaseAPITests` imported from a helper module, `Frozen_X, Source_X =
/// make_tests(...)`). Whether an imported or computed name is one is not in the source;
/// unittest naming puts `Test` in it, which is the case treated as uncertain (any
/// imported class would be too many false alarms).
fn may_be_testcase(name: &str) -> bool {
    name.contains("Test")
}

/// Whether pytest collects nothing (and warns about nothing) for a test-like name
/// imported from `module`: pytest's own `Test*` classes set `__test__ = False`, and
/// `unittest.TestCase` itself holds no tests, but `unittest.TestSuite`/`TestLoader`/
/// `TestResult`/`TestProgram` have `__init__` and draw a PytestCollectionWarning.
fn safe_import(module: &str, name: &str) -> bool {
    match module {
        "pytest" | "typing" | "unittest.mock" | "mock" => true,
        "unittest" => matches!(name, "TestCase" | "IsolatedAsyncioTestCase"),
        _ => false,
    }
}

/// Collect the items of one module. `prefix` is the chain down to and including the
/// `Module` node; `nodeid_prefix` its node id (the rootdir-relative path).
pub fn collect_module(
    outline: &Outline,
    prefix: &[ChainNode],
    nodeid_prefix: &str,
    rules: &NameRules,
    scope: &ModuleScope<'_>,
) -> Result<Vec<Item>, String> {
    if let Some(reason) = outline.uncertain.first() {
        return Err(reason.clone());
    }
    match outline.test_attr {
        Some(Ok(false)) => return Ok(Vec::new()),
        Some(Err(())) => return Err("computed module `__test__`".into()),
        _ => {}
    }
    let module_marks = decls_ok(&outline.pytestmark)?;
    let cx = ModuleCx {
        outline,
        rules,
        scope,
        module_marks,
        classes: outline
            .bindings
            .iter()
            .chain(&outline.inlined)
            .filter_map(|b| match &b.kind {
                BindingKind::Class(c) => Some((b.name.as_str(), (b, c.as_ref()))),
                _ => None,
            })
            .collect(),
    };
    let mut items = Vec::new();
    for b in &outline.bindings {
        cx.module_binding(b, prefix, nodeid_prefix, &mut items)?;
    }
    Ok(items)
}

/// The marks a module's `pytestmark` gives every item below it, in `iter_markers`
/// order (doctest items: their module collector's marks).
pub fn module_marks(outline: &Outline) -> Result<Vec<Mark>, String> {
    decls_ok(&outline.pytestmark)?
        .into_iter()
        .map(|d| match d {
            MarkDecl::Mark(m, _) => Ok(m.clone()),
            MarkDecl::Parametrize(_) => Ok(parametrize_mark()),
            MarkDecl::Unknown(r) => Err(r.clone()),
        })
        .collect()
}

fn decls_ok(decls: &[MarkDecl]) -> Result<Vec<&MarkDecl>, String> {
    decls
        .iter()
        .map(|d| match d {
            MarkDecl::Unknown(r) => Err(r.clone()),
            d => Ok(d),
        })
        .collect()
}

struct ModuleCx<'a> {
    outline: &'a Outline,
    rules: &'a NameRules,
    scope: &'a ModuleScope<'a>,
    module_marks: Vec<&'a MarkDecl>,
    classes: HashMap<&'a str, (&'a Binding, &'a Class)>,
}

/// A class node on the way down to an item: its resolved MRO and marks.
struct ClassFrame<'a> {
    mro: Vec<&'a Class>,
    marks: Vec<&'a MarkDecl>,
}

impl<'a> ModuleCx<'a> {
    fn module_binding(
        &self,
        b: &'a Binding,
        prefix: &[ChainNode],
        nodeid: &str,
        items: &mut Vec<Item>,
    ) -> Result<(), String> {
        match &b.kind {
            BindingKind::Function(f) => {
                if self.rules.functions.is_match(&b.name) {
                    self.function_items(b, f, &[], prefix, nodeid, NodeKind::Function, items)?;
                }
            }
            BindingKind::Lambda => {
                if self.rules.functions.is_match(&b.name) {
                    self.plain_item(b, &[], prefix, nodeid, items);
                }
            }
            BindingKind::Value { maybe_callable } => {
                // A computed value could be a callable; literals are not collected.
                let matches = self.rules.functions.is_match(&b.name)
                    || self.rules.classes.is_match(&b.name)
                    || may_be_testcase(&b.name);
                if matches && *maybe_callable {
                    return Err(format!("test name `{}` bound to a computed value", b.name));
                }
            }
            BindingKind::Import {
                module,
                name,
                plain,
            } => {
                let matches = self.rules.functions.is_match(&b.name)
                    || self.rules.classes.is_match(&b.name)
                    || may_be_testcase(&b.name);
                // A module object is neither a function nor a class: pytest passes it by.
                let module_object =
                    *plain || self.scope.submodule.is_some_and(|sub| sub(module, name));
                if matches && !module_object && !safe_import(module, name) {
                    // An inert class pytest finds no tests in (nor warns about).
                    let silent = self.external(&b.name).is_some_and(|e| {
                        e.unittest
                            || !self.rules.classes.is_match(&b.name)
                            || (!e.has_init && e.value_base.is_none())
                    });
                    if !silent {
                        return Err(format!("imports `{}` from `{module}`", b.name));
                    }
                }
            }
            BindingKind::Class(c) => self.class_binding(b, c, &[], prefix, nodeid, items)?,
        }
        Ok(())
    }

    fn class_binding(
        &self,
        b: &'a Binding,
        c: &'a Class,
        outer: &[ClassFrame<'a>],
        prefix: &[ChainNode],
        nodeid: &str,
        items: &mut Vec<Item>,
    ) -> Result<(), String> {
        let mro = self.mro(c, &b.name)?;
        let is_unittest = mro_is_unittest(c, &mro, self)?;
        let test_attr = mro.iter().find_map(|k| k.test_attr);
        let explicit_test = matches!(test_attr, Some(Ok(true)));
        if !(is_unittest || self.rules.classes.is_match(&b.name) || explicit_test) {
            if matches!(test_attr, Some(Err(()))) {
                return Err(format!("computed `__test__` on class `{}`", b.name));
            }
            return Ok(());
        }
        match test_attr {
            Some(Ok(false)) => return Ok(()),
            Some(Err(())) => return Err(format!("computed `__test__` on class `{}`", b.name)),
            _ => {}
        }
        if let Some(t) = mro.iter().flat_map(|k| &k.bases).find_map(|b| match b {
            Base::Builtin(t) if !is_unittest => Some(t.clone()),
            Base::Unknown(t) if !is_unittest => self.external(t).and_then(|e| e.value_base),
            _ => None,
        }) {
            // pytest warns that it cannot collect the class (the builtin's `__init__` or
            // `__new__`); the fallback reproduces the text.
            return Err(format!("class `{}` derives from builtin `{t}`", b.name));
        }
        for k in &mro {
            if let Some(r) = k.uncertain.first() {
                return Err(r.clone());
            }
            // unittest's and mock's decorators on a TestCase (`unittest.skip`, ...) leave
            // its test names alone; anything else may replace the class.
            let harmless = is_unittest && !k.decorators.opaque;
            if !k.decorators.unknown.is_empty() && !harmless {
                return Err(format!(
                    "class `{}` has a decorator fastest cannot read",
                    b.name
                ));
            }
            if k.has_class_kwargs {
                return Err(format!(
                    "class `{}` has keyword arguments (metaclass)",
                    b.name
                ));
            }
        }
        let external_init = |k: &&Class| {
            k.bases.iter().any(
                |b| matches!(b, Base::Unknown(t) if self.external(t).is_some_and(|e| e.has_init)),
            )
        };
        if !is_unittest && mro.iter().any(|k| k.has_init || external_init(k)) {
            // pytest warns (PytestCollectionWarning); the fallback reproduces the text.
            return Err(format!("class `{}` has an __init__ constructor", b.name));
        }
        // Marks: the class's own decorators and pytestmark, then its bases' (MRO).
        let mut marks: Vec<&MarkDecl> = Vec::new();
        for k in &mro {
            marks.extend(decls_ok(&k.decorators.marks)?);
            marks.extend(decls_ok(&k.pytestmark)?);
        }
        let kind = if is_unittest {
            NodeKind::UnitTestCase
        } else {
            NodeKind::Class
        };
        let mut chain = prefix.to_vec();
        chain.push(ChainNode::new(kind, b.name.clone()));
        let nodeid = format!("{nodeid}::{}", b.name);
        let mut frames: Vec<ClassFrame<'a>> = Vec::with_capacity(outer.len() + 1);
        for f in outer {
            frames.push(ClassFrame {
                mro: f.mro.clone(),
                marks: f.marks.clone(),
            });
        }
        frames.push(ClassFrame {
            mro: mro.clone(),
            marks,
        });
        if is_unittest {
            return self.unittest_items(&mro, &frames, &chain, &nodeid, items);
        }
        // Reverse-MRO: names a base defines (and the class does not) come first, from the
        // most basic class; the class's own names keep its definition order.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut groups: Vec<Vec<&'a Binding>> = Vec::new();
        for k in &mro {
            let mut g = Vec::new();
            for m in &k.body {
                if seen.insert(m.name.as_str()) {
                    g.push(m);
                }
            }
            groups.push(g);
        }
        for g in groups.iter().rev() {
            for m in g {
                match &m.kind {
                    BindingKind::Function(f) => {
                        if self.rules.functions.is_match(&m.name) {
                            self.function_items(
                                m,
                                f,
                                &frames,
                                &chain,
                                &nodeid,
                                NodeKind::Function,
                                items,
                            )?;
                        }
                    }
                    BindingKind::Lambda => {
                        if self.rules.functions.is_match(&m.name) {
                            self.plain_item(m, &frames, &chain, &nodeid, items);
                        }
                    }
                    BindingKind::Class(inner) => {
                        self.class_binding(m, inner, &frames, &chain, &nodeid, items)?;
                    }
                    BindingKind::Value {
                        maybe_callable: false,
                    } => {}
                    BindingKind::Value { .. } | BindingKind::Import { .. } => {
                        if self.rules.functions.is_match(&m.name)
                            || self.rules.classes.is_match(&m.name)
                            || may_be_testcase(&m.name)
                        {
                            return Err(format!(
                                "test name `{}` bound to a value in a class",
                                m.name
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn unittest_items(
        &self,
        mro: &[&'a Class],
        frames: &[ClassFrame<'a>],
        chain: &[ChainNode],
        nodeid: &str,
        items: &mut Vec<Item>,
    ) -> Result<(), String> {
        // `TestLoader.getTestCaseNames`: callable attributes starting with "test", sorted.
        let mut names: Vec<(&str, &'a Binding)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for k in mro {
            for m in &k.body {
                if seen.insert(m.name.as_str()) && m.name.starts_with("test") {
                    match &m.kind {
                        BindingKind::Function(_) | BindingKind::Lambda => {
                            names.push((m.name.as_str(), m))
                        }
                        BindingKind::Class(_) => {}
                        _ => return Err(format!("unittest attribute `{}` is a value", m.name)),
                    }
                }
            }
        }
        if names.is_empty() {
            for k in mro {
                if let Some(m) = k.body.iter().find(|m| m.name == "runTest") {
                    names.push(("runTest", m));
                    break;
                }
            }
        }
        names.sort_by(|a, b| a.0.cmp(b.0));
        for (name, m) in names {
            let mut item_marks: Vec<Mark> = Vec::new();
            // `usefixtures` from the method, its classes and the module (in that order).
            let mut usefixtures: Vec<&str> = Vec::new();
            let mut own: Vec<&MarkDecl> = Vec::new();
            if let BindingKind::Function(f) = &m.kind {
                if f.decorators.opaque {
                    // It may return something that is not callable (no test, then), or
                    // write other `test*` names into the class body as it runs
                    // (parameterized's `expand`): only the class pytest sees knows.
                    return Err(format!("`{name}` has a decorator fastest cannot read"));
                }
                own = decls_ok(&f.decorators.marks)?;
                for d in &own {
                    if let MarkDecl::Mark(mk, _) = d {
                        item_marks.push(mk.clone());
                    } else {
                        return Err("parametrize on a unittest method".into());
                    }
                }
            }
            let outer = frames
                .iter()
                .rev()
                .flat_map(|fr| fr.marks.iter().copied())
                .chain(self.module_marks.iter().copied());
            for d in own.into_iter().chain(outer) {
                if let MarkDecl::Mark(mk, fx) = d {
                    if mk.name == "usefixtures" {
                        usefixtures.extend(fx.iter().map(String::as_str));
                    }
                }
            }
            self.push_marks(&mut item_marks, frames)?;
            // TestCase methods take no fixture arguments (pytest's `nofuncargs`): the
            // closure is the autouse fixtures and `usefixtures`.
            let ClosureFacts {
                calls,
                external,
                closure,
                isolated,
                ..
            } = self.fixture_params(&[], frames, &usefixtures, &HashSet::new(), &HashSet::new())?;
            if !calls.is_empty() {
                return Err("a parametrized fixture used by a unittest method".into());
            }
            let mut ch = chain.to_vec();
            ch.push(ChainNode::new(NodeKind::TestCaseFunction, name));
            items.push(Item {
                nodeid: format!("{nodeid}::{name}"),
                chain: ch,
                lineno: Some(m.line),
                marks: item_marks,
                extra_keywords: Vec::new(),
                run: Some(RunSpec {
                    callspec: Vec::new(),
                    external_fixtures: external,
                    fixtures: closure,
                    pytest_machinery: self.outline.pytest_machinery.clone(),
                    added_marks: Vec::new(),
                    isolated: isolated && !self.xunit_shared(frames),
                    scoped_params: Vec::new(),
                }),
            });
        }
        Ok(())
    }

    /// Class marks (innermost class first), then module marks, as `iter_markers`.
    fn push_marks(&self, out: &mut Vec<Mark>, frames: &[ClassFrame<'a>]) -> Result<(), String> {
        for f in frames.iter().rev() {
            for d in &f.marks {
                match d {
                    MarkDecl::Mark(m, _) => out.push(m.clone()),
                    MarkDecl::Parametrize(_) => out.push(parametrize_mark()),
                    MarkDecl::Unknown(r) => return Err(r.clone()),
                }
            }
        }
        for d in &self.module_marks {
            match d {
                MarkDecl::Mark(m, _) => out.push(m.clone()),
                MarkDecl::Parametrize(_) => out.push(parametrize_mark()),
                MarkDecl::Unknown(r) => return Err(r.clone()),
            }
        }
        Ok(())
    }

    fn plain_item(
        &self,
        b: &Binding,
        frames: &[ClassFrame<'a>],
        chain: &[ChainNode],
        nodeid: &str,
        items: &mut Vec<Item>,
    ) {
        let mut marks = Vec::new();
        // A lambda carries no decorators; enclosing marks still apply.
        let _ = self.push_marks(&mut marks, frames);
        let mut ch = chain.to_vec();
        ch.push(ChainNode::new(NodeKind::Function, b.name.clone()));
        items.push(Item {
            nodeid: format!("{nodeid}::{}", b.name),
            chain: ch,
            lineno: Some(b.line),
            marks,
            extra_keywords: Vec::new(),
            // A lambda bound to a test name: its arguments are not read here.
            run: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn function_items(
        &self,
        b: &Binding,
        f: &'a Func,
        frames: &[ClassFrame<'a>],
        chain: &[ChainNode],
        nodeid: &str,
        kind: NodeKind,
        items: &mut Vec<Item>,
    ) -> Result<(), String> {
        if f.decorators.fixture.is_some() {
            return Ok(());
        }
        if f.is_generator {
            return Err(format!("generator test `{}`", b.name));
        }
        // The decorator's callee (`pytest_asyncio.fixture`), not its arguments
        // (hypothesis's `settings(suppress_health_check=[...function_scoped_fixture])`).
        let callee = |d: &String| d.split('(').next().unwrap_or(d).contains("fixture");
        if f.decorators.unknown.iter().any(callee) {
            return Err(format!("`{}` has a fixture-like decorator", b.name));
        }
        if f.decorators.opaque {
            // It may return a non-function, hide the signature or apply marks.
            return Err(format!("`{}` has a decorator fastest cannot read", b.name));
        }
        // Marks in `iter_markers` order: the function's, the classes', the module's.
        let own = decls_ok(&f.decorators.marks)?;
        let mut all: Vec<&MarkDecl> = own.clone();
        for fr in frames.iter().rev() {
            all.extend(fr.marks.iter().copied());
        }
        all.extend(self.module_marks.iter().copied());
        let parametrizes: Vec<&Parametrize> = all
            .iter()
            .filter_map(|d| match d {
                MarkDecl::Parametrize(p) => Some(p),
                _ => None,
            })
            .collect();
        if parametrizes.iter().any(|p| p.indirect == Indirect::Unknown) {
            return Err("computed `indirect` in parametrize".into());
        }
        // pytest's `Metafunc.parametrize` refuses a name parametrized twice (stacked
        // marks, a class's and a method's): a collection error its import gives.
        let mut seen: HashSet<&str> = HashSet::new();
        if let Some(name) = parametrizes
            .iter()
            .flat_map(|p| p.argnames.iter())
            .find(|n| !seen.insert(n.as_str()))
        {
            return Err(format!("`{name}` parametrized twice"));
        }
        // pytest looks up no fixture for a direct argument (`_get_direct_parametrize_args`:
        // the names of marks whose `indirect` is falsy); the fixtures' own `params` give
        // way to any mark that names them.
        let direct: HashSet<&str> = parametrizes
            .iter()
            .filter(|p| p.indirect == Indirect::No)
            .flat_map(|p| p.argnames.iter().map(String::as_str))
            .collect();
        let marked: HashSet<&str> = parametrizes
            .iter()
            .flat_map(|p| p.argnames.iter().map(String::as_str))
            .collect();
        let usefixtures: Vec<&str> = all
            .iter()
            .filter_map(|d| match d {
                MarkDecl::Mark(m, fx) if m.name == "usefixtures" => {
                    Some(fx.iter().map(String::as_str))
                }
                _ => None,
            })
            .flatten()
            .collect();
        let ClosureFacts {
            calls: fixture_calls,
            external,
            closure,
            isolated,
            closest_scopes,
            requested,
        } = self.fixture_params(&f.argnames, frames, &usefixtures, &direct, &marked)?;
        // A name the function's fixture closure does not hold (an argument with a
        // default value, none at all) is pytest's collection error; a fixture pulled in
        // where discovery does not see may hold it. Either way its import decides.
        if let Some(name) = parametrizes
            .iter()
            .flat_map(|p| p.argnames.iter())
            .find(|n| {
                !f.argnames.contains(n) && !closure.contains(n) && !requested.contains(n.as_str())
            })
        {
            return Err(format!(
                "parametrizes `{name}`, which the function does not take"
            ));
        }
        // A direct parameter given a higher `scope=` is a fixture of that scope in
        // pytest (cached per scope for the fixtures that request it); the native engine
        // passes it to the test only.
        for p in &parametrizes {
            let Some(Ok(Some(scope))) = p.scope else {
                continue;
            };
            if p.indirect != Indirect::No {
                continue;
            }
            if let Some(name) = p.argnames.iter().find(|n| requested.contains(n.as_str())) {
                let across = if scope >= ParamScope::Package {
                    REORDERS_ACROSS_MODULES
                } else {
                    ""
                };
                return Err(format!(
                    "a fixture requests `{name}`, a direct parameter with a higher \
                     scope{across}"
                ));
            }
        }
        let isolated = isolated && !self.xunit_shared(frames);
        if !fixture_calls.is_empty() && !f.decorators.unknown.is_empty() {
            return Err(format!(
                "`{}` has decorators that may change its arguments",
                b.name
            ));
        }
        let mut marks: Vec<Mark> = Vec::new();
        for d in &all {
            match d {
                MarkDecl::Mark(m, _) => marks.push(m.clone()),
                MarkDecl::Parametrize(_) => marks.push(parametrize_mark()),
                MarkDecl::Unknown(r) => return Err(r.clone()),
            }
        }
        // The product of all calls: fixture params (closure order), then marks. Each
        // spec keeps which set of each call it took (the engine's callspec).
        // Each call with its scope (pytest's `_arg2scope`): a fixture's own; a mark's
        // `scope=`, else its fixtures' narrowest when all its names are indirect.
        let mut calls: Vec<(Option<&str>, &ParamCall, Option<ParamScope>, bool)> = Vec::new();
        let fixture_names: Vec<String> = fixture_calls.iter().map(|c| c.0 .0[0].clone()).collect();
        for ((c, scope), name) in fixture_calls.iter().zip(&fixture_names) {
            calls.push((Some(name.as_str()), c, *scope, false));
        }
        let mut mark_calls: Vec<(ParamCall, Option<ParamScope>, bool)> = Vec::new();
        for p in &parametrizes {
            let scope = match &p.scope {
                Some(Ok(scope)) => *scope,
                Some(Err(why)) => return Err(why.clone()),
                None if p.indirect == Indirect::All => {
                    let mut narrowest: Option<Option<ParamScope>> = None;
                    for name in &p.argnames {
                        match closest_scopes.get(name) {
                            Some(Ok(s)) => {
                                narrowest = Some(narrowest.map_or(*s, |n| n.min(*s)));
                            }
                            Some(Err(why)) => return Err(why.clone()),
                            None => {
                                return Err(format!(
                                    "indirect parametrization of `{name}`, a fixture \
                                     fastest does not see"
                                ))
                            }
                        }
                    }
                    narrowest.flatten()
                }
                None => None,
            };
            let direct = p.indirect == Indirect::No;
            mark_calls.push(((p.argnames.clone(), p.sets.clone()), scope, direct));
        }
        for (c, scope, direct) in &mark_calls {
            calls.push((None, c, *scope, *direct));
        }
        let mut specs: Vec<Spec> = vec![(Vec::new(), Vec::new(), Vec::new(), Vec::new())];
        let mut mark_index = 0u32;
        for (fixture, (argnames, sets), scope, direct) in &calls {
            let resolved = self.resolve_externals(sets);
            let sets = resolved.as_ref();
            let ids = make_ids(
                argnames,
                sets,
                self.rules.long_strings,
                self.rules.strict_ids,
            )
            .map_err(|e| e.0)?;
            // What `reorder_items` compares of each set, for a scope above function.
            let keys: Vec<Vec<ScopedParam>> = match scope {
                None => vec![Vec::new(); sets.len()],
                Some(scope) => sets
                    .iter()
                    .enumerate()
                    .map(|(i, set)| {
                        scoped_params(argnames, (set, i), *scope, *direct, self.scope.here)
                    })
                    .collect::<Result<_, _>>()?,
            };
            let mut next = Vec::with_capacity(specs.len() * sets.len());
            for (parts, pmarks, cs, sp) in &specs {
                for (set_index, (set, id)) in sets.iter().zip(&ids).enumerate() {
                    let mut parts = parts.clone();
                    if let Some(id) = id {
                        parts.push(id.clone());
                    }
                    let mut sp = sp.clone();
                    sp.extend(keys.get(set_index).into_iter().flatten().cloned());
                    let mut pm = pmarks.clone();
                    pm.extend(set.marks.iter().cloned());
                    let set = u32::try_from(set_index).unwrap_or(u32::MAX);
                    let mut cs = cs.clone();
                    cs.push(match fixture {
                        Some(name) => CallParam::Fixture {
                            name: (*name).to_string(),
                            set,
                        },
                        None => CallParam::Mark {
                            mark: mark_index,
                            set,
                            // Literal argvalues in the source: the order is certain.
                            values: None,
                        },
                    });
                    next.push((parts, pm, cs, sp));
                }
            }
            if fixture.is_none() {
                mark_index += 1;
            }
            specs = next;
        }
        let parametrized = !calls.is_empty();
        for (parts, pmarks, callspec, scoped_params) in specs {
            // `-k` reaches the parametrize id through the item name only (pytest 9.2).
            let name = if parametrized && !parts.is_empty() {
                format!("{}[{}]", b.name, parts.join("-"))
            } else {
                b.name.clone()
            };
            let mut ch = chain.to_vec();
            ch.push(ChainNode::new(kind, name.clone()));
            let mut item_marks = pmarks;
            item_marks.extend(marks.iter().cloned());
            items.push(Item {
                nodeid: format!("{nodeid}::{name}"),
                chain: ch,
                lineno: Some(b.line),
                marks: item_marks,
                extra_keywords: Vec::new(),
                run: Some(RunSpec {
                    callspec,
                    external_fixtures: external.clone(),
                    fixtures: closure.clone(),
                    pytest_machinery: self.outline.pytest_machinery.clone(),
                    added_marks: Vec::new(),
                    isolated,
                    scoped_params,
                }),
            });
        }
        Ok(())
    }

    /// Parametrized fixtures in the test's closure, in pytest's closure (DFS) order, as
    /// `(argnames, sets)` calls; the closure's names no conftest, module or class
    /// defines (external); every name of the closure.
    fn fixture_params(
        &self,
        argnames: &[String],
        frames: &[ClassFrame<'a>],
        usefixtures: &[&str],
        direct: &HashSet<&str>,
        marked: &HashSet<&str>,
    ) -> Result<ClosureFacts, String> {
        // Visible fixtures, nearest last: conftests (outermost first), module, classes.
        let mut visible: Vec<&Fixture> = self.scope.conftest_fixtures.clone();
        visible.extend(self.outline.fixtures.iter());
        for fr in frames {
            for k in fr.mro.iter().rev() {
                visible.extend(k.fixtures.iter());
            }
        }
        let mut initial: Vec<&str> = visible
            .iter()
            .filter(|fx| fx.autouse)
            .map(|fx| fx.name.as_str())
            .collect();
        initial.extend(usefixtures.iter().copied());
        initial.extend(argnames.iter().map(String::as_str));
        let plugins: Vec<&Fixture> = self.scope.plugin_fixtures.iter().collect();
        let mut walk = Closure {
            visible: &visible,
            plugins: &plugins,
            direct,
            current: HashMap::new(),
            order: Vec::new(),
            used: HashMap::new(),
            beyond: HashSet::new(),
        };
        for name in initial {
            walk.visit(name, 0)?;
        }
        let mut calls = Vec::new();
        let mut external = Vec::new();
        let mut isolated = true;
        let mut closest_scopes = HashMap::new();
        for name in &walk.order {
            if direct.contains(name) {
                continue;
            }
            let defs = walk.used.get(name).map(Vec::as_slice).unwrap_or_default();
            // Not defined here, or an override chain that ends in a builtin's or a
            // plugin's definition.
            if defs.is_empty() || walk.beyond.contains(name) {
                external.push((*name).to_string());
                isolated &= PER_TEST_OR_WORKER.contains(name);
            }
            if let Some(closest) = defs.first() {
                closest_scopes.insert((*name).to_string(), fixture_scope(name, closest));
            }
            let mut parametrized = 0;
            for fx in defs {
                isolated &= matches!(
                    fx.scope.as_deref(),
                    None | Some("function" | "package" | "session")
                );
                if let Some(u) = &fx.unknown {
                    return Err(format!("fixture `{name}`: {u}"));
                }
                if marked.contains(name) {
                    // A mark parametrizes it (`indirect`): its `params` are not used.
                    continue;
                }
                match &fx.params {
                    Err(e) => return Err(format!("fixture `{name}`: {e}")),
                    Ok(None) => {}
                    Ok(Some(sets)) => {
                        let scope = fixture_scope(name, fx)?;
                        parametrized += 1;
                        if parametrized > 1 {
                            return Err(format!(
                                "fixture `{name}` overrides a parametrized fixture of its name"
                            ));
                        }
                        calls.push(((vec![(*name).to_string()], sets.clone()), scope));
                    }
                }
            }
        }
        // pytest parametrizes along `fixturenames`, the closure sorted by the scope of
        // each name's closest definition, widest first (a stable sort).
        let mut ranked = Vec::with_capacity(calls.len());
        for call in calls {
            let name = call.0 .0.first().map_or("", String::as_str);
            let scope = match closest_scopes.get(name) {
                Some(Ok(scope)) => *scope,
                Some(Err(why)) => return Err(why.clone()),
                None => None,
            };
            ranked.push((std::cmp::Reverse(scope), call));
        }
        ranked.sort_by_key(|(rank, _)| *rank);
        let calls = ranked.into_iter().map(|(_, call)| call).collect();
        let closure = walk.order.iter().map(|n| (*n).to_string()).collect();
        let requested = walk
            .used
            .values()
            .flatten()
            .flat_map(|fx| fx.argnames.iter().cloned())
            .collect();
        Ok(ClosureFacts {
            calls,
            external,
            closure,
            isolated,
            closest_scopes,
            requested,
        })
    }

    /// Whether the module or a class around the item (or a base of one) has an xunit
    /// setup or teardown: state its items share.
    fn xunit_shared(&self, frames: &[ClassFrame<'a>]) -> bool {
        let named = |body: &[Binding], names: &[&str]| {
            body.iter().any(|b| names.contains(&b.name.as_str()))
        };
        named(&self.outline.bindings, MODULE_XUNIT)
            || frames
                .iter()
                .any(|fr| fr.mro.iter().any(|k| named(&k.body, CLASS_XUNIT)))
    }

    /// `sets` with each [`PyValue::External`] replaced by what the other module's source
    /// says it is, or [`PyValue::Computed`].
    fn resolve_externals<'s>(&self, sets: &'s [ParamSet]) -> std::borrow::Cow<'s, [ParamSet]> {
        let external = |v: &PyValue| matches!(v, PyValue::External(_));
        if !sets.iter().any(|s| s.values.iter().any(external)) {
            return std::borrow::Cow::Borrowed(sets);
        }
        let mut out = sets.to_vec();
        for set in &mut out {
            for v in &mut set.values {
                if let PyValue::External(text) = v {
                    *v = self
                        .scope
                        .external_value
                        .and_then(|f| f(text))
                        .unwrap_or(PyValue::Computed);
                }
            }
        }
        std::borrow::Cow::Owned(out)
    }

    /// The facts of an inert class another module defines, named `text` here.
    fn external(&self, text: &str) -> Option<ExternalClass> {
        self.scope.external.and_then(|f| f(text))
    }

    /// C3 linearization over classes defined in this module.
    fn mro(&self, c: &'a Class, name: &str) -> Result<Vec<&'a Class>, String> {
        self.mro_depth(c, name, 0)
    }

    fn mro_depth(&self, c: &'a Class, name: &str, depth: usize) -> Result<Vec<&'a Class>, String> {
        if depth > 50 {
            return Err("class hierarchy too deep".into());
        }
        let mut seqs: Vec<Vec<*const Class>> = Vec::new();
        let mut bases: Vec<*const Class> = Vec::new();
        let mut all: HashMap<*const Class, &'a Class> = HashMap::new();
        for base in &c.bases {
            match base {
                Base::Local(n) => {
                    let Some((_, bc)) = self.classes.get(n.as_str()) else {
                        return Err(format!("base `{n}` of `{name}` is not a class here"));
                    };
                    let sub = self.mro_depth(bc, n, depth + 1)?;
                    for k in &sub {
                        all.insert(std::ptr::from_ref(*k), k);
                    }
                    seqs.push(sub.iter().map(|k| std::ptr::from_ref(*k)).collect());
                    bases.push(std::ptr::from_ref(*bc));
                }
                Base::UnitTest | Base::Object | Base::Builtin(_) => {}
                // Inert: its facts are read where they matter.
                Base::Unknown(t) if self.external(t).is_some() => {}
                Base::Unknown(t) => {
                    return Err(format!("base class `{t}` of `{name}` is defined elsewhere"))
                }
            }
        }
        seqs.push(bases);
        let mut out: Vec<&'a Class> = vec![c];
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                break;
            }
            let head = seqs
                .iter()
                .map(|s| s[0])
                .find(|h| !seqs.iter().any(|s| s[1..].contains(h)))
                .ok_or_else(|| format!("inconsistent MRO for `{name}`"))?;
            if let Some(k) = all.get(&head) {
                out.push(k);
            }
            for s in &mut seqs {
                if s[0] == head {
                    s.remove(0);
                }
            }
        }
        Ok(out)
    }
}

fn mro_is_unittest(c: &Class, mro: &[&Class], cx: &ModuleCx<'_>) -> Result<bool, String> {
    let _ = c;
    Ok(mro.iter().any(|k| {
        k.bases.iter().any(|b| match b {
            Base::UnitTest => true,
            Base::Unknown(t) => cx.external(t).is_some_and(|e| e.unittest),
            _ => false,
        })
    }))
}

fn parametrize_mark() -> Mark {
    Mark {
        name: "parametrize".into(),
        kwargs: Vec::new(),
    }
}

/// pytest's `traverse_fixture_closure`: the fixture names a test's closure requests, in
/// DFS order, each once. A fixture that requests its own name reaches the next outer
/// definition of that name (an override chain), as pytest resolves it at setup.
/// A fixture definition's scope above function (`None` for function).
fn fixture_scope(name: &str, fx: &Fixture) -> Result<Option<ParamScope>, String> {
    match fx.scope.as_deref() {
        None => Ok(None),
        Some(s) => ParamScope::from_name(s).ok_or_else(|| format!("fixture `{name}`: scope {s:?}")),
    }
}

/// What `reorder_items` compares of one parameter set of a call of `scope`: per name,
/// its value's key (pytest's `ParamValueKey`: equal values of one type are one key).
/// Only hashable literals are proved; other values leave the file to pytest.
fn scoped_params(
    argnames: &[String],
    (set, index): (&ParamSet, usize),
    scope: ParamScope,
    direct: bool,
    here: Option<&std::path::Path>,
) -> Result<Vec<ScopedParam>, String> {
    let mut keys = Vec::with_capacity(argnames.len());
    for (i, argname) in argnames.iter().enumerate() {
        let value = if set.values.is_empty() {
            // An empty parameter set's `NOTSET`: one object.
            Some("NOTSET".to_string())
        } else {
            match set.values.get(i) {
                // An unhashable value is keyed by its index (`callspec.indices`), the
                // set's for a fixture's or an indirect parameter; pytest renumbers a
                // direct one's by the function's product of calls.
                Some(PyValue::Opaque(OpaqueKey::Unhashable)) if !direct => {
                    Some(format!("index:{index}"))
                }
                Some(PyValue::Opaque(OpaqueKey::Hashable(key))) => Some(key.clone()),
                Some(v) => value_key(v, here),
                None => None,
            }
        };
        let Some(value) = value else {
            let across = if scope >= ParamScope::Package {
                REORDERS_ACROSS_MODULES
            } else {
                ""
            };
            return Err(format!(
                "a parameter of `{argname}` with a higher scope that fastest cannot \
                 compare{across}"
            ));
        };
        keys.push(ScopedParam {
            argname: argname.clone(),
            scope,
            value,
        });
    }
    Ok(keys)
}

/// The equivalence key of a literal: its type and value (`1`, `1.0` and `True` differ;
/// `0.0` and `-0.0` are one).
/// A class, function or enum member is its definition (`here` places the module's
/// own: `None` when unknown).
fn value_key(v: &PyValue, here: Option<&std::path::Path>) -> Option<String> {
    Some(match v {
        PyValue::Str(s) => format!("str:{s}"),
        PyValue::Bytes(b) => format!("bytes:{b:?}"),
        PyValue::Int(i) => format!("int:{i}"),
        PyValue::Float(f) if f.is_nan() => return None,
        PyValue::Float(f) => format!("float:{:?}", if *f == 0.0 { 0.0 } else { *f }),
        PyValue::Complex(c) => format!("complex:{c}"),
        PyValue::Bool(b) => format!("bool:{b}"),
        PyValue::None => "None".to_string(),
        PyValue::Named(name, Origin::Builtin) => format!("builtin:{name}"),
        PyValue::Named(name, Origin::Local) => format!("object:{}:{name}", here?.display()),
        PyValue::Named(_, Origin::At(at)) => format!("object:{at}"),
        PyValue::Named(_, Origin::Unkeyed)
        | PyValue::Opaque(_)
        | PyValue::Computed
        | PyValue::External(_) => return None,
    })
}

struct Closure<'v, 'f> {
    /// Visible definitions, outermost first.
    visible: &'v [&'f Fixture],
    /// The installed plugins' definitions, below every visible one.
    plugins: &'v [&'f Fixture],
    /// Names the test parametrizes directly: no fixture is looked up for them.
    direct: &'v HashSet<&'v str>,
    /// Per name, which definition from the innermost (1) the walk is at.
    current: HashMap<&'f str, usize>,
    order: Vec<&'f str>,
    /// The definitions the walk reached, per name.
    used: HashMap<&'f str, Vec<&'f Fixture>>,
    /// Names whose override chain goes past the visible definitions (to a builtin's or
    /// a plugin's).
    beyond: HashSet<&'f str>,
}

impl<'v, 'f> Closure<'v, 'f> {
    fn visit(&mut self, name: &'f str, depth: usize) -> Result<(), String> {
        if depth > 200 {
            return Err("fixture closure too deep".into());
        }
        match self.current.get(name) {
            Some(1) => return Ok(()),
            Some(_) => {}
            None => {
                self.order.push(name);
                self.current.insert(name, 1);
            }
        }
        if self.direct.contains(name) {
            return Ok(());
        }
        let defs: Vec<&'f Fixture> = self
            .visible
            .iter()
            .copied()
            .filter(|fx| fx.name == name)
            .collect();
        let k = self.current.get(name).copied().unwrap_or(1);
        if defs.is_empty() {
            return self.visit_plugin(name, depth);
        }
        let Some(fx) = defs.len().checked_sub(k).and_then(|i| defs.get(i)).copied() else {
            self.beyond.insert(name);
            return self.visit_plugin(name, depth);
        };
        let used = self.used.entry(name).or_default();
        if !used.iter().any(|u| std::ptr::eq(*u, fx)) {
            used.push(fx);
        }
        self.current.insert(name, k + 1);
        for dep in &fx.argnames {
            self.visit(dep.as_str(), depth + 1)?;
        }
        self.current.insert(name, k);
        Ok(())
    }

    /// `name` past the visible definitions: an installed plugin's definition, if one
    /// has it. Its parameters are not read here (the test is pytest's to collect); the
    /// fixtures it requests are in the closure, as pytest's closure has them (a
    /// project's parametrized override of one parametrizes the test). A request of
    /// `name` under it ends at the top (`current` stays 1).
    fn visit_plugin(&mut self, name: &'f str, depth: usize) -> Result<(), String> {
        let Some(fx) = self
            .plugins
            .iter()
            .rev()
            .find(|fx| fx.name == name)
            .copied()
        else {
            return Ok(());
        };
        if !matches!(fx.params, Ok(None)) || fx.unknown.is_some() {
            return Err(format!(
                "fixture `{name}` of an installed plugin is parametrized"
            ));
        }
        for dep in &fx.argnames {
            self.visit(dep.as_str(), depth + 1)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::discovery::parse::parse_outline;
    use crate::glob::NameMatcher;

    #[test]
    fn named_values_are_keyed_by_their_definition() {
        let here = std::path::Path::new("/r/test_a.py");
        let named = |o: Origin| PyValue::Named("Impl".into(), o);
        assert_eq!(
            value_key(&named(Origin::Local), Some(here)),
            value_key(&named(Origin::at(here, "Impl")), None)
        );
        assert_ne!(
            value_key(&named(Origin::Local), Some(here)),
            value_key(
                &named(Origin::at(std::path::Path::new("/r/b.py"), "Impl")),
                None
            )
        );
        // Unplaced: the key is unknown, and the file is pytest's to collect.
        assert_eq!(value_key(&named(Origin::Local), None), None);
        assert_eq!(value_key(&named(Origin::Unkeyed), Some(here)), None);
        assert_eq!(
            value_key(&PyValue::Named("int".into(), Origin::Builtin), None).as_deref(),
            Some("builtin:int")
        );
    }

    fn collect_items(src: &str) -> Result<Vec<Item>, String> {
        collect_items_with(src, &[])
    }

    /// [`collect_items`] with installed plugins' fixtures.
    fn collect_items_with(src: &str, plugin_fixtures: &[Fixture]) -> Result<Vec<Item>, String> {
        let outline = parse_outline(src.as_bytes(), false);
        let rules = NameRules {
            classes: NameMatcher::new(&["Test".into()]),
            functions: NameMatcher::new(&["test".into()]),
            long_strings: LongStrIds::Short,
            strict_ids: false,
        };
        let scope = ModuleScope {
            conftest_fixtures: Vec::new(),
            plugin_fixtures,
            submodule: None,
            external: None,
            external_value: None,
            here: None,
        };
        let prefix = [ChainNode::new(NodeKind::Module, "test_m.py")];
        collect_module(&outline, &prefix, "test_m.py", &rules, &scope)
    }

    fn collect(src: &str) -> Result<Vec<String>, String> {
        collect_items(src).map(|items| items.into_iter().map(|i| i.nodeid).collect())
    }

    #[test]
    fn installed_plugins_fixtures_are_below_the_visible_ones() {
        let plugin = parse_outline(
            b"import pytest\n\n@pytest.fixture(params=['http', 'https'])\ndef both(request):\n    return request.param\n\n@pytest.fixture\ndef listen():\n    return 1\n\n@pytest.fixture\ndef server(listen):\n    return listen\n",
            false,
        )
        .fixtures;
        let collect_with = |src: &str| {
            collect_items_with(src, &plugin)
                .map(|items| items.into_iter().map(|i| i.nodeid).collect::<Vec<_>>())
        };
        // The plugin's own parameters are pytest's to read.
        let err = collect_with("def test_a(both): pass\n").unwrap_err();
        assert!(err.contains("`both` of an installed plugin"), "{err}");
        // The module's override of a fixture the plugin's requests parametrizes it.
        let src = "import pytest\n\n@pytest.fixture(params=['a', 'b'])\ndef listen(request):\n    return request.param\n\ndef test_s(server): pass\n";
        assert_eq!(
            collect_with(src).unwrap(),
            ["test_m.py::test_s[a]", "test_m.py::test_s[b]"]
        );
        // A module fixture of the plugin's name hides the plugin's parameters.
        let src = "import pytest\n\n@pytest.fixture\ndef both():\n    return 'x'\n\ndef test_b(both, server): pass\n";
        assert_eq!(collect_with(src).unwrap(), ["test_m.py::test_b"]);
    }

    #[test]
    fn scoped_tuples_key_by_value_and_unhashable_values_by_index() {
        let src = "import pytest\n\n@pytest.fixture(scope='module', params=[(1, 'a'), (True, 'a'), [1], (1, [2])])\ndef f(request):\n    return request.param\n\ndef test_f(f): pass\n";
        let keys: Vec<String> = collect_items(src)
            .unwrap()
            .into_iter()
            .flat_map(|i| i.run.map(|r| r.scoped_params).unwrap_or_default())
            .map(|p| p.value)
            .collect();
        assert_eq!(
            keys,
            [
                "tuple:(num:1, str:\"a\")",
                "tuple:(num:1, str:\"a\")",
                "index:2",
                "index:3"
            ]
        );
        // A direct parameter's index is pytest's renumbering: not proved.
        let direct = "import pytest\n\n@pytest.mark.parametrize('x', [[1], [2]], scope='module')\ndef test_x(x): pass\n";
        assert!(collect_items(direct).is_err());
        let direct_tuple = "import pytest\n\n@pytest.mark.parametrize('x', [(1,), (2,)], scope='module')\ndef test_x(x): pass\n";
        assert_eq!(
            collect(direct_tuple).unwrap(),
            ["test_m.py::test_x[x0]", "test_m.py::test_x[x1]"]
        );
    }

    #[test]
    fn a_constant_rebound_under_a_condition_is_no_constant() {
        let plain = "import pytest\nVALUES = [1, 2]\n\n@pytest.mark.parametrize('v', VALUES)\ndef test_v(v): pass\n";
        assert_eq!(
            collect(plain).unwrap(),
            ["test_m.py::test_v[1]", "test_m.py::test_v[2]"]
        );
        for block in [
            "try:\n    VALUES = load()\nexcept OSError:\n    pass\n",
            "if FLAG:\n    VALUES, OTHER = [3], 4\n",
            "try:\n    from data import VALUES\nexcept ImportError:\n    pass\n",
        ] {
            let src = plain.replace("\n\n@", &format!("\n{block}\n@"));
            assert!(collect(&src).is_err(), "{src}");
        }
    }

    #[test]
    fn computed_values_under_explicit_ids() {
        let src = "import os, pytest\n\
                   @pytest.mark.parametrize('v', [os.sep, dict(a=1)], ids=['sep', None])\n\
                   def test_a(v): pass\n\
                   @pytest.mark.parametrize('v', [pytest.param(os.sep, id='p'), KeyboardInterrupt])\n\
                   def test_b(v): pass\n";
        assert_eq!(
            collect(src).unwrap(),
            [
                "test_m.py::test_a[sep]",
                "test_m.py::test_a[v1]",
                "test_m.py::test_b[p]",
                "test_m.py::test_b[KeyboardInterrupt]"
            ]
        );
        // Where pytest derives the ID from the value, only an import tells it.
        for src in [
            "import os, pytest\n@pytest.mark.parametrize('v', [os.sep])\ndef test_c(v): pass\n",
            "import os, pytest\n@pytest.mark.parametrize('v', [os.sep], ids=[None])\ndef test_c(v): pass\n",
            "import pytest\nfrom lib import dict\n@pytest.mark.parametrize('v', [dict()])\ndef test_c(v): pass\n",
        ] {
            assert!(collect(src).is_err(), "{src}");
        }
    }

    // Expected IDs below were printed by pytest 9.2 `--co -q` for the same source.
    #[test]
    fn a_class_body_names_its_own_constants_to_its_decorators() {
        let src = "import pytest\nN = 7\n\
                   class TestP:\n    @pytest.mark.parametrize('h', [N])\n    def test_a(self, h): pass\n\
                   \x20   N = 3\n    hdrs = [(':a', 'e')]\n    S = 'x' * 3\n    def helper(self): pass\n\
                   \x20   @pytest.mark.parametrize('h', [hdrs, N, S, N + 1, helper])\n    def test_b(self, h): pass\n";
        assert_eq!(
            collect(src).unwrap(),
            [
                "test_m.py::TestP::test_a[7]",
                "test_m.py::TestP::test_b[h0]",
                "test_m.py::TestP::test_b[3]",
                "test_m.py::TestP::test_b[xxx]",
                "test_m.py::TestP::test_b[4]",
                "test_m.py::TestP::test_b[helper]",
            ]
        );
        // A list the class body changes, or a name bound twice, is not followed.
        let changed = "import pytest\nclass TestP:\n    L = [1, 2]\n    L.append(3)\n\
                       \x20   @pytest.mark.parametrize('h', L)\n    def test_a(self, h): pass\n";
        assert!(collect(changed).is_err());
        let twice = "import pytest\nclass TestP:\n    N = 1\n    N = 2\n\
                     \x20   @pytest.mark.parametrize('h', [N])\n    def test_a(self, h): pass\n";
        assert!(collect(twice).is_err());
        // A method's parameter of the same name is another variable.
        let shadowed = "import pytest\nclass TestP:\n    headers = [1, 2]\n\
                        \x20   @pytest.mark.parametrize('headers', [headers])\n\
                        \x20   def test_a(self, headers):\n        send(headers=headers)\n";
        assert_eq!(
            collect(shadowed).unwrap(),
            ["test_m.py::TestP::test_a[headers0]"]
        );
    }

    #[test]
    fn arithmetic_on_literals_is_folded_as_python_does() {
        let cases = [
            ("2**31", "2147483648"),
            ("-2**3", "-8"),
            ("1<<4", "16"),
            ("-7//2", "-4"),
            ("-7%3", "2"),
            ("7%-3", "-2"),
            ("1/3", "0.3333333333333333"),
            ("-(1-4)", "3"),
            ("~5", "-6"),
            ("10**20", "100000000000000000000"),
            ("0x10 | 1", "17"),
            ("'ab'*2", "abab"),
            ("b'x'+b'y'", "xy"),
            ("1/2+1", "1.5"),
            ("7/7", "1.0"),
        ];
        for (expr, want) in cases {
            let src = format!(
                "import pytest\n@pytest.mark.parametrize('h', [{expr}])\ndef test_a(h): pass\n"
            );
            assert_eq!(
                collect(&src).unwrap(),
                [format!("test_m.py::test_a[{want}]")],
                "{expr}"
            );
        }
        // Beyond what is certain here: the import fallback computes it.
        let big = "import pytest\n@pytest.mark.parametrize('h', [2**200])\ndef test_a(h): pass\n";
        assert!(collect(big).is_err());
    }

    #[test]
    fn enum_members_are_named_as_pytest_names_them() {
        let src = "import enum\nfrom enum import Enum, IntEnum, auto\nimport pytest\n\
                   class Color(Enum):\n    RED = 1\n    CRIMSON = 1\n\
                   class Mode(str, Enum):\n    READ = 'r'\n\
                   class Code(IntEnum):\n    OK = 1000\n\
                   class Step(enum.Enum):\n    A = auto()\n\
                   @pytest.mark.parametrize('m', [Color.RED, Color.CRIMSON, Mode.READ, Code.OK, Step.A])\n\
                   def test_m(m): pass\n";
        // `parse_outline` reads for the oldest Python (3.9): `str()` of an IntEnum
        // member is `Class.MEMBER` there (its value from 3.11 on). The enum bases are
        // the standard library's, as the resolver reports them.
        let collect = |src: &str| -> Result<Vec<String>, String> {
            let outline = parse_outline(src.as_bytes(), false);
            let rules = NameRules {
                classes: NameMatcher::new(&["Test".into()]),
                functions: NameMatcher::new(&["test".into()]),
                long_strings: LongStrIds::Short,
                strict_ids: false,
            };
            let stdlib = |t: &str| {
                t.ends_with("Enum").then(|| ExternalClass {
                    value_base: Some(t.to_string()),
                    ..ExternalClass::default()
                })
            };
            let scope = ModuleScope {
                conftest_fixtures: Vec::new(),
                plugin_fixtures: &[],
                submodule: None,
                external: Some(&stdlib),
                external_value: None,
                here: None,
            };
            let prefix = [ChainNode::new(NodeKind::Module, "test_m.py")];
            collect_module(&outline, &prefix, "test_m.py", &rules, &scope)
                .map(|items| items.into_iter().map(|i| i.nodeid).collect())
        };
        assert_eq!(
            collect(src).unwrap(),
            [
                "test_m.py::test_m[Color.RED0]",
                "test_m.py::test_m[Color.RED1]",
                "test_m.py::test_m[r]",
                "test_m.py::test_m[Code.OK]",
                "test_m.py::test_m[Step.A]",
            ]
        );
        // The enum metaclass rejects these bodies at import: pytest's error.
        for body in ["    _x_ = 1", "    A = 1\n    A = 2", "    A = compute()"] {
            let src =
                format!("from enum import Enum\nclass C(Enum):\n{body}\ndef test_a(): pass\n");
            assert!(collect(&src).is_err(), "{body}");
        }
    }

    #[test]
    fn instances_of_plain_local_classes_are_named_by_index() {
        let src = "import pytest\nclass E: pass\nclass F(E):\n    x = 1\n\
                   class X(Exception): pass\n\
                   @pytest.mark.parametrize('h', [E, E(), F(), X('a'), object()])\ndef test_a(h): pass\n";
        assert_eq!(
            collect(src).unwrap(),
            [
                "test_m.py::test_a[E]",
                "test_m.py::test_a[h1]",
                "test_m.py::test_a[h2]",
                "test_m.py::test_a[h3]",
                "test_m.py::test_a[h4]",
            ]
        );
        // A value type underneath, or a `__name__` an instance reads: not provable.
        for class in ["class G(str): pass", "class G:\n    __name__ = 'g'"] {
            let src = format!(
                "import pytest\n{class}\n@pytest.mark.parametrize('h', [G()])\ndef test_a(h): pass\n"
            );
            assert!(collect(&src).is_err(), "{class}");
        }
    }

    #[test]
    fn a_decorator_is_fixture_like_by_its_callee_not_its_arguments() {
        let hypothesis = "from hypothesis import given, settings, HealthCheck\n\
                          from hypothesis.strategies import integers\n\
                          @given(n=integers())\n\
                          @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])\n\
                          def test_n(tmp_path, n): pass\n";
        assert_eq!(collect(hypothesis).unwrap(), ["test_m.py::test_n"]);
        let fixture_like = "import pytest_asyncio\n\
                            @pytest_asyncio.fixture\ndef test_f(): pass\n";
        assert!(collect(fixture_like).is_err());
    }

    #[test]
    fn builtin_bases_are_not_testcases() {
        // A helper class on a builtin: never a TestCase, so it cannot hide tests.
        let src = "class MyDict(dict): pass\nclass Boom(ValueError): pass\ndef test_a(): pass\n";
        assert_eq!(collect(src).unwrap(), ["test_m.py::test_a"]);
        // A test class on one: pytest warns about its constructor (the fallback's job).
        let err = collect("class TestD(dict):\n    def test_x(self): pass\n").unwrap_err();
        assert!(err.contains("builtin `dict`"), "{err}");
        // Rebound in the module, the name is whatever the module made it.
        for src in [
            "from lib import dict\nclass MyDict(dict): pass\n",
            "import lib as Exception\nclass E(Exception): pass\n",
            "dict = make()\nclass MyDict(dict): pass\n",
        ] {
            let err = collect(src).unwrap_err();
            assert!(err.contains("defined elsewhere"), "{src}: {err}");
        }
    }

    #[test]
    fn an_override_chain_reaches_the_outer_definitions() {
        let src = "import pytest\n\
                   @pytest.fixture\ndef greeting(tmp_path): return 'hello'\n\
                   @pytest.fixture\ndef tmp_path(tmp_path, monkeypatch): return tmp_path\n\
                   @pytest.fixture(params=[1, 2])\ndef n(): pass\n\
                   class TestK:\n\
                   \x20   @pytest.fixture\n    def greeting(self, greeting, capsys): return 1\n\
                   \x20   @pytest.fixture\n    def n(self, n): return n\n\
                   \x20   def test_g(self, greeting): pass\n\
                   \x20   def test_n(self, n): pass\n\
                   def test_t(tmp_path): pass\n";
        let items = collect_items(src).unwrap();
        let spec = |id: &str| {
            items
                .iter()
                .find(|i| i.nodeid == id)
                .and_then(|i| i.run.clone())
                .unwrap()
        };
        // The class's `greeting` reaches the module's, whose `tmp_path` override reaches
        // the builtin: external.
        assert_eq!(
            spec("test_m.py::TestK::test_g").external_fixtures,
            ["tmp_path", "monkeypatch", "capsys"]
        );
        assert_eq!(
            spec("test_m.py::test_t").external_fixtures,
            ["tmp_path", "monkeypatch"]
        );
        // One parametrized definition in the chain parametrizes the test.
        let ids: Vec<&str> = items.iter().map(|i| i.nodeid.as_str()).collect();
        assert!(ids.contains(&"test_m.py::TestK::test_n[1]"), "{ids:?}");
        assert!(ids.contains(&"test_m.py::TestK::test_n[2]"), "{ids:?}");
        let both = "import pytest\n\
                    @pytest.fixture(params=[1])\ndef n(): pass\n\
                    class TestK:\n\
                    \x20   @pytest.fixture(params=[2])\n    def n(self, n): return n\n\
                    \x20   def test_n(self, n): pass\n";
        assert!(collect_items(both).is_err());
    }

    #[test]
    fn items_sharing_module_or_class_state_are_not_isolated() {
        let isolated = |src: &str| -> Vec<(String, bool)> {
            collect_items(src)
                .unwrap()
                .into_iter()
                .map(|i| (i.nodeid.clone(), i.run.is_some_and(|r| r.isolated)))
                .collect()
        };
        let src = "import pytest\n\
                   @pytest.fixture(scope='module')\ndef m(): pass\n\
                   @pytest.fixture(scope='session')\ndef s(): pass\n\
                   @pytest.fixture\ndef f(m): pass\n\
                   def test_plain(tmp_path, s, mocker): pass\n\
                   def test_through(f): pass\n\
                   def test_plugin(unknown_plugin_fixture): pass\n\
                   class TestC:\n\
                   \x20   @pytest.fixture(scope='class')\n    def c(self): pass\n\
                   \x20   def test_c(self, c): pass\n\
                   \x20   def test_free(self): pass\n";
        assert_eq!(
            isolated(src),
            [
                ("test_m.py::test_plain".to_string(), true),
                ("test_m.py::test_through".to_string(), false),
                ("test_m.py::test_plugin".to_string(), false),
                ("test_m.py::TestC::test_c".to_string(), false),
                ("test_m.py::TestC::test_free".to_string(), true),
            ]
        );
        // xunit setups of the module, or of a class or its base.
        let module = "def setup_module(): pass\ndef test_a(): pass\n";
        assert_eq!(isolated(module), [("test_m.py::test_a".to_string(), false)]);
        let class = "class Base:\n    def setup_class(cls): pass\n\
                     class TestK(Base):\n    def test_k(self): pass\n\
                     def test_free(): pass\n";
        assert_eq!(
            isolated(class),
            [
                ("test_m.py::TestK::test_k".to_string(), false),
                ("test_m.py::test_free".to_string(), true),
            ]
        );
        let unit = "import unittest\n\
                    class TestU(unittest.TestCase):\n\
                    \x20   @classmethod\n    def setUpClass(cls): pass\n\
                    \x20   def test_u(self): pass\n";
        assert_eq!(
            isolated(unit),
            [("test_m.py::TestU::test_u".to_string(), false)]
        );
    }

    #[test]
    fn unittest_items_get_a_run_spec_with_autouse_and_usefixtures() {
        let src = "import unittest, pytest\n\
                   @pytest.fixture(autouse=True)\ndef auto(tmp_path): pass\n\
                   @unittest.skip('later')\n@pytest.mark.usefixtures('db')\n\
                   class TestK(unittest.TestCase):\n    def test_b(self, ignored): pass\n";
        let items = collect_items(src).unwrap();
        assert_eq!(items.len(), 1);
        let run = items[0].run.as_ref().unwrap();
        // The method's own argument is not a fixture (pytest's `nofuncargs`).
        assert_eq!(run.external_fixtures, ["tmp_path", "db"]);
        // An opaque decorator on a TestCase still makes the file uncertain.
        let opaque = "import unittest, functools\n@functools.total_ordering\n\
                      class TestK(unittest.TestCase):\n    def test_b(self): pass\n";
        assert!(collect(opaque).is_err());
        // ... and on a method: parameterized's `expand` replaces `test_v` by `test_v_0`,
        // `test_v_1` in the class body (dateparser's suite).
        let expand = "import unittest\nfrom parameterized import parameterized\n\
                      class TestK(unittest.TestCase):\n\
                      \x20   @parameterized.expand([(1,), (2,)])\n    def test_v(self, v): pass\n";
        assert!(collect(expand).is_err());
        // unittest's and mock's own decorators keep it provable.
        let known = "import unittest\nfrom unittest import mock\n\
                     class TestK(unittest.TestCase):\n\
                     \x20   @unittest.skipIf(True, 'x')\n    @mock.patch('os.getcwd')\n\
                     \x20   def test_v(self, m): pass\n";
        assert_eq!(collect_items(known).map(|i| i.len()), Ok(1));
    }

    #[test]
    fn unittest_helpers_with_init_are_not_safe_imports() {
        // TestSuite/TestLoader have `__init__`: pytest warns PytestCollectionWarning.
        assert!(collect("from unittest import TestSuite\ndef test_a(): pass\n").is_err());
        assert!(collect("from unittest import TestCase\ndef test_a(): pass\n").is_ok());
        assert!(collect("from pytest import Testdir\ndef test_a(): pass\n").is_ok());
    }

    #[test]
    fn names_that_may_be_testcases_are_uncertain() {
        assert!(collect("from helpers import BaseAPITests\ndef test_a(): pass\n").is_err());
        assert!(collect("Frozen_Tests, Source_Tests = make(T)\n").is_err());
        assert!(collect("from helpers import User\nlog = get()\ndef test_a(): pass\n").is_ok());
        assert!(collect("SomeTests = {'a': 1}\n").is_ok());
    }

    #[test]
    fn decorators_outside_unittest_and_mock_are_uncertain() {
        let src = "import functools\n@functools.lru_cache\ndef test_a(): pass\n";
        assert!(collect(src).is_err());
        let src = "def deco(f): return f\n@deco\ndef test_a(): pass\n";
        assert!(collect(src).is_err());
        let src = "from unittest import mock\n@mock.patch('os.getcwd')\ndef test_a(m): pass\n";
        assert_eq!(collect(src).unwrap(), ["test_m.py::test_a"]);
        // A mark bound to a module constant is still a mark.
        let src = "import pytest\nslow = pytest.mark.slow\n@slow\ndef test_a(): pass\n";
        assert_eq!(collect(src).unwrap(), ["test_m.py::test_a"]);
    }
}

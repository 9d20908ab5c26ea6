//! Classes a test module takes from other modules: a base class imported from a helper
//! module (`class TestX(BaseTest)`, `class Ext(wpext.Extension)`) or an imported class a
//! test module binds under a test-like name (`from support import DistlibTestCase`).
//!
//! pytest sees such a class with everything its module gives it. The source of that
//! module answers what collection needs when the class is *inert*: it and every class it
//! derives from define nothing pytest collects or applies (no test-like names, fixtures,
//! marks, `__test__`, xunit methods, decorators or metaclass). Then all it can change is
//! whether the class is a `unittest.TestCase`, derives from a builtin value type, or has
//! an `__init__` — the [`ExternalClass`] facts. A class that is not inert, or a name
//! that does not lead to a class definition in a readable `.py` file (an extension
//! module, a name bound twice or under a condition, a namespace package), is no fact:
//! the file stays uncertain and pytest's import collects it.
//!
//! Every file read is a dependency of the test module's cached result (see
//! [`super::cache`]).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use super::certainty::ImportEnv;
use super::collect::NameRules;
use super::params::{Origin, PyValue};
use super::parse::{AliasOf, Base, Binding, BindingKind, Class, Outline};
use super::syntax::Target;

/// What an inert class from another module brings to a class deriving from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalClass {
    /// `unittest.TestCase` is among its bases.
    pub unittest: bool,
    /// A builtin class other than `object` is among its bases (its `__init__`/`__new__`
    /// keep pytest from collecting a test class on it).
    pub value_base: Option<String>,
    /// It or a base defines `__init__` or `__new__`.
    pub has_init: bool,
}

/// Standard-library classes with no `__test__` and no `TestCase` among their bases,
/// known by module and name, whose metaclass (if any) accepts any class body the
/// parser lets through: their sources hold metaclasses and `__init__`s this module
/// does not follow. A test class deriving from one is left to pytest (`value_base`).
const STDLIB_CLASSES: &[(&str, &[&str])] = &[
    // Their metaclass checks a class body; the parser proves the body of a module's
    // own enum or NamedTuple class or leaves the module to pytest (`Ctx::enum_members`,
    // `Ctx::valid_named_tuple`).
    ("enum", &["Enum", "IntEnum", "StrEnum"]),
    // `TypedDict`'s metaclass takes any body; other bases are refused
    // (`Ctx::typed_dict_bases`).
    ("typing", &["NamedTuple", "TypedDict", "Protocol"]),
    ("typing_extensions", &["NamedTuple", "Protocol"]),
    ("abc", &["ABC"]),
    (
        "collections",
        &[
            "OrderedDict",
            "defaultdict",
            "Counter",
            "deque",
            "UserDict",
            "UserList",
            "UserString",
        ],
    ),
    ("threading", &["Thread"]),
    (
        "logging",
        &[
            "Handler",
            "StreamHandler",
            "Filter",
            "Formatter",
            "LoggerAdapter",
        ],
    ),
    (
        "io",
        &[
            "StringIO",
            "BytesIO",
            "IOBase",
            "RawIOBase",
            "BufferedIOBase",
            "TextIOBase",
        ],
    ),
    ("json", &["JSONEncoder", "JSONDecoder"]),
    ("html.parser", &["HTMLParser"]),
];

/// Methods pytest's xunit support calls on a class (state its items would share).
const XUNIT_METHODS: &[&str] = &[
    "setup_class",
    "teardown_class",
    "setup_method",
    "teardown_method",
    "setup",
    "teardown",
    "setUpClass",
    "tearDownClass",
];

/// What a name is followed to: a class (its facts) or a member of an enum class.
#[derive(Debug, Clone, Copy)]
enum Goal<'g> {
    Class,
    Member(&'g str),
    /// A class or function, for its `__name__`.
    Named,
    /// Where a class of the project is defined (its module file and name).
    Def,
}

enum Answer {
    Class(ExternalClass),
    Value(PyValue),
    Def(PathBuf, String),
}

impl Answer {
    fn class(self) -> Option<ExternalClass> {
        match self {
            Self::Class(c) => Some(c),
            Self::Value(_) | Self::Def(..) => None,
        }
    }
}

/// How deep re-exports and base chains are followed.
const MAX_DEPTH: usize = 16;

/// Resolves class references for one test module.
pub struct Resolver<'a> {
    env: &'a ImportEnv,
    target: Target,
    rules: &'a NameRules,
    /// The `sys.path` the test module is imported with.
    paths: Vec<PathBuf>,
    /// Relative imports are followed only where the module's package is its
    /// directory chain (prepend and append modes).
    relative: bool,
    /// The files read, for the cache entry of the test module.
    deps: RefCell<Vec<PathBuf>>,
    /// Registered marks (`None`: not checked): a module read here whose import would
    /// warn about another is no answer (only pytest's import reports the warning).
    markers: Option<&'a std::collections::HashSet<String>>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        env: &'a ImportEnv,
        target: Target,
        rules: &'a NameRules,
        paths: Vec<PathBuf>,
        relative: bool,
        markers: Option<&'a std::collections::HashSet<String>>,
    ) -> Self {
        Self {
            env,
            target,
            rules,
            paths,
            relative,
            deps: RefCell::new(Vec::new()),
            markers,
        }
    }

    /// Whether importing a module read here does nothing pytest would report: no
    /// import-time hazard (a `raise`, `pytest.skip`, a syntax problem) and no
    /// unregistered mark.
    fn quiet_import(&self, outline: &Outline) -> bool {
        outline.import_hazard.is_none()
            && self
                .markers
                .is_none_or(|known| outline.mark_names.iter().all(|m| known.contains(m)))
    }

    /// The files read so far.
    pub fn deps(&self) -> Vec<PathBuf> {
        let mut d = self.deps.borrow().clone();
        d.sort();
        d.dedup();
        d
    }

    /// The class `dotted` (a base's text or a bound name) names in the module at `file`,
    /// when it is an inert class defined in another module.
    pub fn class(&self, file: &Path, outline: &Outline, dotted: &str) -> Option<ExternalClass> {
        let parts: Vec<&str> = dotted.split('.').map(str::trim).collect();
        let (head, rest) = parts.split_first()?;
        if rest.is_empty() {
            // Only a name the module imports reaches another module.
            let b = outline.bindings.iter().find(|b| b.name == *head)?;
            if !matches!(b.kind, BindingKind::Import { .. }) {
                return None;
            }
        }
        self.name_in(file, outline, &parts, Goal::Class, 0)
            .and_then(Answer::class)
    }

    /// The parametrize value of `dotted` (`Class.MEMBER`, `module.Class.MEMBER`) in the
    /// module at `file`: a member of an enum class another module defines, named as
    /// pytest names it ([`Outline::enums`] of that module).
    pub fn value(&self, file: &Path, outline: &Outline, dotted: &str) -> Option<PyValue> {
        let parts: Vec<&str> = dotted.split('.').map(str::trim).collect();
        let b = outline
            .bindings
            .iter()
            .find(|b| Some(&b.name.as_str()) == parts.first())?;
        if !matches!(b.kind, BindingKind::Import { .. }) {
            return None;
        }
        let value = |answer: Option<Answer>| match answer? {
            Answer::Value(v) => Some(v),
            Answer::Class(_) | Answer::Def(..) => None,
        };
        if let Some((member, class)) = parts.split_last().filter(|(_, c)| !c.is_empty()) {
            if let Some(v) = value(self.name_in(file, outline, class, Goal::Member(member), 0)) {
                return Some(v);
            }
        }
        // A class or function: pytest's ID is its `__name__`.
        value(self.name_in(file, outline, &parts, Goal::Named, 0))
    }

    /// Where the class `dotted` names in the module at `file` is defined, when that is
    /// another `.py` file of the project (not the standard library or site-packages)
    /// whose import does nothing pytest would report: its file and its name there.
    pub fn class_def(
        &self,
        file: &Path,
        outline: &Outline,
        dotted: &str,
    ) -> Option<(PathBuf, String)> {
        let parts: Vec<&str> = dotted.split('.').map(str::trim).collect();
        match self.name_in(file, outline, &parts, Goal::Def, 0)? {
            Answer::Def(f, name) => Some((f, name)),
            _ => None,
        }
    }

    /// The value of the condition constant `name` of `module` (as the module at `file`
    /// names it in a `from` import), when that module's source binds it once to a
    /// condition its source decides ([`Outline::conditions`]) and importing it does
    /// nothing pytest would report.
    pub fn condition(&self, file: &Path, module: &str, name: &str) -> Option<bool> {
        let target = self.module_file(file, module)?;
        self.deps.borrow_mut().push(target.clone());
        let outline = self.env.module_outline(&target, self.target)?;
        if !self.quiet_import(&outline) || !outline.star_imports.is_empty() {
            return None;
        }
        outline
            .conditions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// The values of the condition constants `outline` (of the module at `file`) wants
    /// from other modules, those their source settles.
    pub fn conditions(&self, file: &Path, outline: &Outline) -> super::parse::ImportedConditions {
        outline
            .wanted_conditions
            .iter()
            .filter_map(|(m, n)| Some(((m.clone(), n.clone()), self.condition(file, m, n)?)))
            .collect()
    }

    /// The outline of a module file read here (cached).
    pub fn outline_of(&self, file: &Path) -> Option<std::sync::Arc<Outline>> {
        self.env.module_outline(file, self.target)
    }

    /// The names `from module import *` in the module at `file` binds, with what the
    /// exporting module binds them to, when its source settles them: `__all__` as a
    /// literal list of names it binds, or else its public names (those of its own star
    /// imports too). `None` for anything else (a computed `__all__`, a submodule named
    /// in it, an extension module, an import that would fail or warn).
    pub fn star_names(&self, file: &Path, module: &str) -> Option<Vec<Binding>> {
        self.star_names_depth(file, module, 0)
    }

    fn star_names_depth(&self, file: &Path, module: &str, depth: usize) -> Option<Vec<Binding>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let target = self.module_file(file, module)?;
        self.deps.borrow_mut().push(target.clone());
        let outline = self.env.module_outline(&target, self.target)?;
        if !self.quiet_import(&outline) {
            return None;
        }
        // A fixture among them would be the importing module's fixture.
        let fixture = |b: &Binding| matches!(&b.kind, BindingKind::Function(f) if f.decorators.fixture.is_some());
        if outline.bindings.iter().any(fixture) || !outline.fixtures.is_empty() {
            return None;
        }
        let own = |name: &str| {
            outline
                .bindings
                .iter()
                .find(|b| b.name == name)
                .cloned()
                // Bound in a block the parser does not follow (`try: from contextlib
                // import nullcontext` / `except ImportError: class nullcontext`): some
                // object, not one of the module's own tests or fixtures.
                .or_else(|| {
                    outline.unstable.iter().any(|u| u == name).then(|| Binding {
                        name: name.to_string(),
                        line: 0,
                        kind: BindingKind::Value {
                            maybe_callable: true,
                        },
                    })
                })
        };
        match &outline.dunder_all {
            Some(Some(names)) => names.iter().map(|n| own(n)).collect(),
            Some(None) => None,
            None => {
                let mut out: Vec<Binding> = outline
                    .bindings
                    .iter()
                    .filter(|b| !b.name.starts_with('_'))
                    .cloned()
                    .collect();
                for m in &outline.star_imports {
                    for b in self.star_names_depth(&target, m, depth + 1)? {
                        if !out.iter().any(|o| o.name == b.name) {
                            out.push(b);
                        }
                    }
                }
                Some(out)
            }
        }
    }

    /// Follow `parts` from the namespace of the module at `file`.
    fn name_in(
        &self,
        file: &Path,
        outline: &Outline,
        parts: &[&str],
        goal: Goal<'_>,
        depth: usize,
    ) -> Option<Answer> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (head, rest) = parts.split_first()?;
        if outline.unstable.iter().any(|n| n == head) {
            return None;
        }
        // A star import (one under `try` too) may rebind the name: the module's own
        // binding stands only when each such module's names leave it alone; one that
        // cannot be read (a C accelerator: `operator`'s `from _operator import *`
        // makes `invert` a builtin of its own name, not the `inv` the source assigns)
        // leaves it unknown.
        let b = outline.bindings.iter().find(|b| b.name == *head)?;
        for m in outline
            .star_imports
            .iter()
            .chain(&outline.block_star_imports)
        {
            // (The binding may be the star import's own, made explicit by
            // `discovery::with_star_names`.)
            let its_own = matches!(&b.kind,
                BindingKind::Import { module, name, plain: false } if module == m && name == *head);
            match self.star_names(file, m) {
                Some(names) if its_own || !names.iter().any(|b| b.name == *head) => {}
                _ => return None,
            }
        }
        match &b.kind {
            BindingKind::Class(c) if rest.is_empty() => match goal {
                Goal::Class => self.facts(file, outline, c, depth + 1).map(Answer::Class),
                Goal::Def => Some(Answer::Def(file.to_path_buf(), (*head).to_string())),
                Goal::Member(m) => outline
                    .enums
                    .get(*head)?
                    .get(m)
                    .cloned()
                    .map(|v| Answer::Value(placed(v, file))),
                // Nothing that could replace the class object.
                Goal::Named => (c.decorators.unknown.is_empty() && c.decorators.fixture.is_none())
                    .then(|| {
                        Answer::Value(PyValue::Named((*head).to_string(), Origin::at(file, head)))
                    }),
            },
            // `text_type = str`, `Base = compat.Base`: what the other name holds.
            BindingKind::Value { .. } => match outline.aliases.get(*head)? {
                AliasOf::Builtin(t) if rest.is_empty() && matches!(goal, Goal::Class) => {
                    Some(Answer::Class(ExternalClass {
                        value_base: (t != "object").then(|| t.clone()),
                        ..ExternalClass::default()
                    }))
                }
                AliasOf::Builtin(_) => None,
                AliasOf::Name(n) => {
                    let mut chain: Vec<&str> = n.split('.').collect();
                    chain.extend_from_slice(rest);
                    self.name_in(file, outline, &chain, goal, depth + 1)
                }
            },
            BindingKind::Function(f) if rest.is_empty() && matches!(goal, Goal::Named) => {
                let d = &f.decorators;
                // A mark keeps the function; any other decorator may not.
                (d.unknown.is_empty() && d.fixture.is_none() && !d.staticmethod && !d.classmethod)
                    .then(|| {
                        Answer::Value(PyValue::Named((*head).to_string(), Origin::at(file, head)))
                    })
            }
            BindingKind::Import {
                module,
                name,
                plain: true,
            } => {
                // `import a.b.c` binds `a`; `import a.b as x` binds `x` to `a.b`.
                let mut dotted: Vec<&str> = if name == head || name.starts_with(&format!("{head}."))
                {
                    vec![head]
                } else {
                    name.split('.').collect()
                };
                let _ = module;
                dotted.extend_from_slice(rest);
                let (class, module_parts) = dotted.split_last()?;
                self.attr_of(file, &module_parts.join("."), class, goal, depth + 1)
            }
            BindingKind::Import {
                module,
                name,
                plain: false,
            } => match rest {
                // `from m import C`: attribute `C` of `m`.
                [] => self.attr_of(file, module, name, goal, depth + 1),
                // `from m import sub` then `sub.C` (or `sub.pkg.C`): a submodule's class.
                [middle @ .., class] => {
                    if !self.leaves_submodule(file, module, name) {
                        // An attribute of `m` (`from compat import unittest`): follow
                        // it in `m`'s namespace.
                        let target = self.module_file(file, module)?;
                        self.deps.borrow_mut().push(target.clone());
                        let outline = self.env.module_outline(&target, self.target)?;
                        if !self.quiet_import(&outline) {
                            return None;
                        }
                        let mut chain = vec![name.as_str()];
                        chain.extend_from_slice(rest);
                        return self.name_in(&target, &outline, &chain, goal, depth + 1);
                    }
                    let mut sub = format!("{}.{name}", module.trim_end_matches('.'));
                    if module.chars().all(|c| c == '.') {
                        sub = format!("{module}{name}");
                    }
                    for m in middle {
                        sub.push('.');
                        sub.push_str(m);
                    }
                    self.attr_of(file, &sub, class, goal, depth + 1)
                }
            },
            _ => None,
        }
    }

    /// Attribute `attr` of the module `module` (as an import statement in `file` spells
    /// it, relative or absolute).
    fn attr_of(
        &self,
        file: &Path,
        module: &str,
        attr: &str,
        goal: Goal<'_>,
        depth: usize,
    ) -> Option<Answer> {
        let target = self.module_file(file, module)?;
        if let (Some(stdlib), Goal::Class) = (self.env.stdlib_dir(), goal) {
            let in_stdlib = target.starts_with(stdlib)
                && !target
                    .components()
                    .any(|c| c.as_os_str() == "site-packages" || c.as_os_str() == "dist-packages");
            let known = STDLIB_CLASSES
                .iter()
                .any(|(m, names)| *m == module && names.contains(&attr));
            if in_stdlib && known {
                return Some(Answer::Class(ExternalClass {
                    value_base: Some(attr.to_string()),
                    ..ExternalClass::default()
                }));
            }
            if in_stdlib
                && matches!(module, "unittest" | "unittest.case")
                && matches!(attr, "TestCase" | "IsolatedAsyncioTestCase")
            {
                return Some(Answer::Class(ExternalClass {
                    unittest: true,
                    ..ExternalClass::default()
                }));
            }
        }
        if matches!(goal, Goal::Def) {
            // Only the project's own classes are read whole.
            let installed = self.env.stdlib_dir().is_some_and(|d| target.starts_with(d))
                || target
                    .components()
                    .any(|c| c.as_os_str() == "site-packages" || c.as_os_str() == "dist-packages");
            if installed {
                return None;
            }
        }
        self.deps.borrow_mut().push(target.clone());
        let outline = self.env.module_outline(&target, self.target)?;
        if !self.quiet_import(&outline) {
            return None;
        }
        self.name_in(&target, &outline, &[attr], goal, depth)
    }

    /// Whether `from module import name` binds the submodule `name`: the package's
    /// `__init__.py` binds nothing else under that name.
    fn leaves_submodule(&self, file: &Path, module: &str, name: &str) -> bool {
        let Some(init) = self.module_file(file, module) else {
            return false;
        };
        if !init.ends_with("__init__.py") {
            return false;
        }
        self.deps.borrow_mut().push(init.clone());
        let Some(outline) = self.env.module_outline(&init, self.target) else {
            return false;
        };
        outline.star_imports.is_empty()
            && outline.bindings.iter().all(|b| {
                b.name != "__getattr__"
                    && (b.name != name
                        || matches!(&b.kind, BindingKind::Import { module, name: n, plain: false }
                            if module == "." && n == name))
            })
    }

    /// The source file of `module` imported from `file`.
    fn module_file(&self, file: &Path, module: &str) -> Option<PathBuf> {
        let dots = module.chars().take_while(|c| *c == '.').count();
        let rest = &module[dots..];
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('.').collect()
        };
        if dots == 0 {
            return self.env.module_file(&parts, &self.paths);
        }
        if !self.relative {
            return None;
        }
        // The package of `file` is its directory (a package's `__init__.py` too); each
        // further dot goes one package up, never above the top package.
        let packages = self.env.packages_of(file);
        let pkg = packages.get(dots - 1)?;
        if parts.is_empty() {
            // `from . import name` names a submodule or what `__init__` binds.
            let init = pkg.join("__init__.py");
            return init.is_file().then_some(init);
        }
        self.env.module_file(&parts, std::slice::from_ref(pkg))
    }

    /// The facts of class `c` defined in the module at `file`, when it is inert.
    fn facts(
        &self,
        file: &Path,
        outline: &Outline,
        c: &Class,
        depth: usize,
    ) -> Option<ExternalClass> {
        if depth > MAX_DEPTH || !self.inert(c) {
            return None;
        }
        let mut out = ExternalClass {
            has_init: c.has_init,
            ..ExternalClass::default()
        };
        for base in &c.bases {
            let f = match base {
                Base::Object => continue,
                Base::UnitTest => {
                    out.unittest = true;
                    continue;
                }
                Base::Builtin(t) => {
                    out.value_base.get_or_insert_with(|| t.clone());
                    continue;
                }
                Base::Local(n) => {
                    let b = outline.bindings.iter().find(|b| b.name == *n)?;
                    let BindingKind::Class(bc) = &b.kind else {
                        return None;
                    };
                    self.facts(file, outline, bc, depth + 1)?
                }
                Base::Unknown(t) => {
                    let parts: Vec<&str> = t.split('.').map(str::trim).collect();
                    self.name_in(file, outline, &parts, Goal::Class, depth + 1)?
                        .class()?
                }
            };
            out.unittest |= f.unittest;
            out.has_init |= f.has_init;
            if out.value_base.is_none() {
                out.value_base = f.value_base;
            }
        }
        Some(out)
    }

    /// Whether class `c` itself defines nothing pytest collects or applies.
    fn inert(&self, c: &Class) -> bool {
        c.decorators.unknown.is_empty()
            && c.decorators.marks.is_empty()
            && c.decorators.fixture.is_none()
            && !c.has_class_kwargs
            && c.uncertain.is_empty()
            && c.pytestmark.is_empty()
            && c.fixtures.is_empty()
            && c.test_attr.is_none()
            && c.body.iter().all(|b| {
                !(self.rules.functions.is_match(&b.name)
                    || self.rules.classes.is_match(&b.name)
                    || b.name.starts_with("test")
                    || XUNIT_METHODS.contains(&b.name.as_str())
                    // It may give each subclass attributes (tests, `__test__`).
                    || b.name == "__init_subclass__"
                    || b.name == "pytest_generate_tests")
            })
    }
}

/// A value read in the module at `file`, with what it defines there placed at its
/// definition (an enum member's identity is its class's).
fn placed(v: PyValue, file: &Path) -> PyValue {
    match v {
        PyValue::Named(name, Origin::Local) => {
            let at = Origin::at(file, &name);
            PyValue::Named(name, at)
        }
        v => v,
    }
}

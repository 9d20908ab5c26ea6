//! Matching one [`Item`] against a compiled [`Expression`]: pytest's `KeywordMatcher` for `-k`
//! and `MarkMatcher` for `-m` (`_pytest/mark/__init__.py`).
//!
//! Which data an item must carry for these to agree with pytest is spelled out in the
//! [`select`](super) module docs.

use crate::item::{Item, MarkValue, NodeKind};

use super::expr::Expression;
use super::SelectError;

/// The names `-k` matches one item against, lowercased once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordMatcher {
    names: Vec<String>,
}

impl KeywordMatcher {
    /// Gathers the item's `-k` names as pytest does: the names of every node in its chain
    /// except the top directory (the `Dir` or `Package` whose parent is the Session), its
    /// extra keywords, and the names of its marks.
    ///
    /// The top node is only skipped when it is a directory: a module given on the command
    /// line outside the rootdir hangs directly off the Session and its name does count.
    pub fn from_item(item: &Item) -> Self {
        let skip_top = item
            .chain
            .first()
            .is_some_and(|top| matches!(top.kind, NodeKind::Dir | NodeKind::Package));
        let chain = item.chain.iter().skip(usize::from(skip_top));
        let mut names: Vec<String> = chain
            .map(|node| node.name.as_str())
            .chain(item.extra_keywords.iter().map(String::as_str))
            .chain(item.marks.iter().map(|mark| mark.name.as_str()))
            .map(str::to_lowercase)
            .collect();
        names.sort_unstable();
        names.dedup();
        KeywordMatcher { names }
    }

    /// Whether `ident` is a case-insensitive substring of any of the names.
    pub fn matches_ident(&self, ident: &str) -> bool {
        let needle = ident.to_lowercase();
        self.names.iter().any(|name| name.contains(&needle))
    }

    /// Evaluates `expr` against these names. An identifier written with keyword arguments
    /// is a usage error once evaluation reaches it (and only then: `x or y(a=1)` is fine
    /// for an item that matches `x`, as in pytest).
    pub fn matches(&self, expr: &Expression) -> Result<bool, SelectError> {
        expr.try_evaluate(|ident, kwargs| match kwargs {
            Some(_) => Err(SelectError::KeywordCallParameters),
            None => Ok(self.matches_ident(ident)),
        })
    }
}

/// pytest's `-k` test for one item; see [`KeywordMatcher`].
pub fn keyword_matches(item: &Item, expr: &Expression) -> Result<bool, SelectError> {
    KeywordMatcher::from_item(item).matches(expr)
}

/// pytest's `-m` test for one item: an identifier matches when some mark on the item has
/// exactly that name (case-sensitive); with keyword arguments, when some mark of that name
/// has every given key with an equal value (Python `==`, see [`python_eq`]).
pub fn mark_matches(item: &Item, expr: &Expression) -> bool {
    expr.evaluate(&mut |ident, kwargs| {
        let wanted = kwargs.unwrap_or_default();
        item.marks
            .iter()
            .filter(|mark| mark.name == ident)
            .any(|mark| {
                wanted.iter().all(|(key, value)| {
                    // A mark's kwargs are a dict in pytest: the last binding of a key wins.
                    mark.kwargs
                        .iter()
                        .rev()
                        .find(|(name, _)| name == key)
                        .is_some_and(|(_, have)| python_eq(have, value))
                })
            })
    })
}

/// Python's `==` between two mark values as far as the model can tell: `bool` is an `int`
/// (`True == 1`, `False == 0`), strings compare exactly, `None` equals only `None`, and an
/// [`MarkValue::Opaque`] value equals nothing.
pub fn python_eq(a: &MarkValue, b: &MarkValue) -> bool {
    fn as_int(value: &MarkValue) -> Option<i64> {
        match value {
            MarkValue::Int(i) => Some(*i),
            MarkValue::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }
    match (a, b) {
        (MarkValue::None, MarkValue::None) => true,
        (MarkValue::Str(x), MarkValue::Str(y)) => x == y,
        _ => matches!((as_int(a), as_int(b)), (Some(x), Some(y)) if x == y),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::item::{ChainNode, Mark};

    fn mark(name: &str, kwargs: &[(&str, MarkValue)]) -> Mark {
        Mark {
            name: name.to_owned(),
            kwargs: kwargs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }

    /// An item from the pytest project the expectations were taken from: rootdir `ksel`
    /// with `tests/test_a.py` (module mark `modmark`) and `tests/sub/test_b.py`.
    fn item(path: &[(NodeKind, &str)], marks: Vec<Mark>, extra: &[&str]) -> Item {
        let mut chain = vec![ChainNode::new(NodeKind::Dir, "ksel")];
        chain.extend(path.iter().map(|(kind, name)| ChainNode::new(*kind, *name)));
        Item {
            nodeid: String::new(),
            chain,
            lineno: None,
            marks,
            extra_keywords: extra.iter().map(|s| (*s).to_owned()).collect(),
            run: None,
        }
    }

    fn in_test_a(rest: &[(NodeKind, &str)], mut marks: Vec<Mark>, extra: &[&str]) -> Item {
        let mut path = vec![(NodeKind::Dir, "tests"), (NodeKind::Module, "test_a.py")];
        path.extend_from_slice(rest);
        marks.push(mark("modmark", &[]));
        item(&path, marks, extra)
    }

    /// The project's items, in collection order, with the node ids pytest printed.
    fn project() -> Vec<(&'static str, Item)> {
        use MarkValue as V;
        use NodeKind::{Class, Dir, Function, Module};
        let param = || mark("parametrize", &[]);
        vec![
            (
                "tests/sub/test_b.py::test_b",
                item(
                    &[
                        (Dir, "tests"),
                        (Dir, "sub"),
                        (Module, "test_b.py"),
                        (Function, "test_b"),
                    ],
                    vec![],
                    &[],
                ),
            ),
            (
                "tests/test_a.py::test_plain",
                in_test_a(&[(Function, "test_plain")], vec![], &[]),
            ),
            (
                "tests/test_a.py::test_slow",
                in_test_a(&[(Function, "test_slow")], vec![mark("slow", &[])], &[]),
            ),
            (
                "tests/test_a.py::TestK::test_m",
                in_test_a(&[(Class, "TestK"), (Function, "test_m")], vec![], &[]),
            ),
            (
                "tests/test_a.py::TestK::test_p[1-x]",
                in_test_a(
                    &[(Class, "TestK"), (Function, "test_p[1-x]")],
                    vec![param()],
                    &[],
                ),
            ),
            (
                "tests/test_a.py::TestK::test_p[2-y]",
                in_test_a(
                    &[(Class, "TestK"), (Function, "test_p[2-y]")],
                    vec![param()],
                    &[],
                ),
            ),
            (
                "tests/test_a.py::test_dev",
                in_test_a(
                    &[(Function, "test_dev")],
                    vec![mark(
                        "device",
                        &[
                            ("serial", V::Str("1".into())),
                            ("n", V::Int(3)),
                            ("flag", V::Bool(true)),
                            ("none", V::None),
                        ],
                    )],
                    &[],
                ),
            ),
            (
                "tests/test_a.py::test_dev2",
                in_test_a(
                    &[(Function, "test_dev2")],
                    vec![mark(
                        "device",
                        &[("serial", V::Str("2".into())), ("n", V::Int(1))],
                    )],
                    &[],
                ),
            ),
            (
                "tests/test_a.py::test_attr",
                in_test_a(&[(Function, "test_attr")], vec![], &["myattr"]),
            ),
            (
                "tests/test_a.py::test_ids[a b]",
                in_test_a(&[(Function, "test_ids[a b]")], vec![param()], &[]),
            ),
            (
                "tests/test_a.py::test_ids[c[d]]",
                in_test_a(&[(Function, "test_ids[c[d]]")], vec![param()], &[]),
            ),
        ]
    }

    fn select_k(expr: &str) -> Vec<&'static str> {
        let expr = Expression::compile(expr).unwrap();
        project()
            .into_iter()
            .filter(|(_, item)| keyword_matches(item, &expr).unwrap())
            .map(|(id, _)| id)
            .collect()
    }

    fn select_m(expr: &str) -> Vec<&'static str> {
        let expr = Expression::compile(expr).unwrap();
        project()
            .into_iter()
            .filter(|(_, item)| mark_matches(item, &expr))
            .map(|(id, _)| id)
            .collect()
    }

    fn all_ids() -> Vec<&'static str> {
        project().into_iter().map(|(id, _)| id).collect()
    }

    fn all_but(excluded: &[&str]) -> Vec<&'static str> {
        all_ids()
            .into_iter()
            .filter(|id| !excluded.contains(id))
            .collect()
    }

    // Expected selections are what `pytest --co -q -k <expr>` printed for that project.
    #[test]
    fn keyword_selection_matches_pytest() {
        const B: &str = "tests/sub/test_b.py::test_b";
        const KM: &str = "tests/test_a.py::TestK::test_m";
        const P1: &str = "tests/test_a.py::TestK::test_p[1-x]";
        const P2: &str = "tests/test_a.py::TestK::test_p[2-y]";
        const IDS_AB: &str = "tests/test_a.py::test_ids[a b]";
        const IDS_CD: &str = "tests/test_a.py::test_ids[c[d]]";
        assert_eq!(
            select_k("not slow"),
            all_but(&["tests/test_a.py::test_slow"])
        );
        assert_eq!(select_k("TestK and m"), [KM, P1, P2]);
        assert_eq!(select_k("TESTK"), [KM, P1, P2]);
        assert_eq!(select_k("1-x"), [P1]);
        // Directory names count, except the rootdir's own.
        assert_eq!(select_k("tests"), all_ids());
        assert_eq!(select_k("sub"), [B]);
        assert!(select_k("ksel").is_empty());
        // Module names count with their extension.
        assert_eq!(select_k("py"), all_ids());
        assert_eq!(select_k("test_a.py"), all_but(&[B]));
        assert_eq!(select_k("a.py"), all_but(&[B]));
        // Marks on the item or its parents count, `parametrize` included.
        assert_eq!(select_k("modmark"), all_but(&[B]));
        assert_eq!(select_k("parametrize"), [P1, P2, IDS_AB, IDS_CD]);
        // Function attributes arrive as extra keywords.
        assert_eq!(select_k("myattr"), ["tests/test_a.py::test_attr"]);
        assert!(select_k("hidden").is_empty());
        assert!(select_k("pytestmark").is_empty());
        assert_eq!(select_k("c[d]"), [IDS_CD]);
        assert_eq!(select_k("d]"), [IDS_CD]);
    }

    #[test]
    fn keyword_call_parameters_are_a_usage_error() {
        let items = project();
        let item = &items[0].1;
        let expr = Expression::compile("test_dev(x=1)").unwrap();
        let err = keyword_matches(item, &expr).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Keyword expressions do not support call parameters."
        );
        // Only reached operands raise, as in pytest's evaluation.
        let expr = Expression::compile("test_b or test_dev(x=1)").unwrap();
        assert!(keyword_matches(item, &expr).unwrap());
    }

    #[test]
    fn top_node_is_kept_when_not_a_directory() {
        // `pytest --rootdir=a a/b test_z.py`: test_z.py hangs directly off the Session.
        let item = Item {
            nodeid: "::test_z".into(),
            chain: vec![
                ChainNode::new(NodeKind::Module, "test_z.py"),
                ChainNode::new(NodeKind::Function, "test_z"),
            ],
            lineno: None,
            marks: vec![],
            extra_keywords: vec![],
            run: None,
        };
        assert!(keyword_matches(&item, &Expression::compile("z.py").unwrap()).unwrap());
        // A rootdir with `__init__.py` is a Package at the top, and is skipped too.
        let item = Item {
            nodeid: "tests/test_p.py::test_x".into(),
            chain: vec![
                ChainNode::new(NodeKind::Package, "proj"),
                ChainNode::new(NodeKind::Package, "tests"),
                ChainNode::new(NodeKind::Module, "test_p.py"),
                ChainNode::new(NodeKind::Function, "test_x"),
            ],
            lineno: None,
            marks: vec![],
            extra_keywords: vec![],
            run: None,
        };
        assert!(!keyword_matches(&item, &Expression::compile("proj").unwrap()).unwrap());
        assert!(keyword_matches(&item, &Expression::compile("tests").unwrap()).unwrap());
    }

    // Expected selections are what `pytest --co -q -m <expr>` printed for that project.
    #[test]
    fn mark_selection_matches_pytest() {
        const DEV: &str = "tests/test_a.py::test_dev";
        const DEV2: &str = "tests/test_a.py::test_dev2";
        const SLOW: &str = "tests/test_a.py::test_slow";
        assert_eq!(select_m("slow"), [SLOW]);
        assert_eq!(select_m("not slow"), all_but(&[SLOW]));
        assert!(select_m("Slow").is_empty());
        assert!(select_m("nosuch").is_empty());
        assert!(select_m("TestK").is_empty());
        assert_eq!(
            select_m("modmark"),
            all_but(&["tests/sub/test_b.py::test_b"])
        );
        assert_eq!(select_m("parametrize").len(), 4);
        assert_eq!(select_m("device"), [DEV, DEV2]);
        assert_eq!(select_m("device(serial='1')"), [DEV]);
        assert_eq!(select_m("device(serial=\"2\")"), [DEV2]);
        assert_eq!(select_m("device(n=3)"), [DEV]);
        assert_eq!(select_m("device(n=3, serial='1')"), [DEV]);
        assert_eq!(select_m("device(flag=True)"), [DEV]);
        // `True == 1` in Python.
        assert_eq!(select_m("device(flag=1)"), [DEV]);
        assert_eq!(select_m("device(none=None)"), [DEV]);
        assert!(select_m("device(missing=None)").is_empty());
        assert!(select_m("device(serial=1)").is_empty());
        assert_eq!(select_m("device(n=1) or slow"), [SLOW, DEV2]);
    }

    #[test]
    fn python_equality() {
        use MarkValue as V;
        assert!(python_eq(&V::Bool(true), &V::Int(1)));
        assert!(python_eq(&V::Int(0), &V::Bool(false)));
        assert!(!python_eq(&V::Bool(false), &V::None));
        assert!(!python_eq(&V::Str("1".into()), &V::Int(1)));
        assert!(python_eq(&V::None, &V::None));
        assert!(!python_eq(&V::Opaque, &V::Opaque));
    }

    #[test]
    fn later_kwarg_binding_wins() {
        let mut item = project().remove(0).1;
        item.marks = vec![mark(
            "m",
            &[("k", MarkValue::Int(1)), ("k", MarkValue::Int(2))],
        )];
        assert!(mark_matches(&item, &Expression::compile("m(k=2)").unwrap()));
        assert!(!mark_matches(
            &item,
            &Expression::compile("m(k=1)").unwrap()
        ));
    }
}

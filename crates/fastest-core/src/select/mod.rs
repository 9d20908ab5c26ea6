//! Selection by `-k` (keywords) and `-m` (marks): the expression language, the two matchers,
//! and pytest's `-k`-then-`-m` deselection step with its usage errors.
//!
//! ## Overview
//! - [`expr`]: the expression grammar, [`Expression`] and [`ParseError`] (pytest's exact
//!   messages).
//! - [`matcher`]: [`keyword_matches`] (pytest's `KeywordMatcher`) and [`mark_matches`]
//!   (`MarkMatcher`).
//! - This module: reading the option values as pytest does ([`compile_option`]), the
//!   `--strict-markers` check of `-m` names ([`check_marker_names`]), the whole step in
//!   pytest's order ([`deselect_items`]) and [`SelectError`].
//!
//! ## For the CLI
//! pytest runs this step in `pytest_collection_modifyitems`, after collection. Every
//! [`SelectError`] is a pytest `UsageError`: print `ERROR: {error}` followed by an empty line
//! on **stderr**, and exit with code **4**. stdout still carries what a session that ran
//! nothing prints: the header, `collected N items`, any collection errors and the closing
//! summary line (`no tests ran in ...`; with `--co -q`, the full, undeselected item listing
//! and `N tests collected in ...`). The order of events, which [`deselect_items`] follows:
//! 1. `-k`: the value is stripped of leading whitespace (Python `str.lstrip`); if nothing is
//!    left there is no `-k` filtering. A syntax error is
//!    `Wrong expression passed to '-k': <stripped value>: at column N: <message>`, raised even
//!    when no items were collected.
//! 2. `-k` is evaluated item by item; an identifier with arguments (`-k "a(x=1)"`) raises
//!    `Keyword expressions do not support call parameters.` when evaluation first reaches
//!    it, so never when there are no items or when `or`/`and` short-circuit past it.
//! 3. `-m`: only an empty value means no filtering; the value is *not* stripped, so columns
//!    count leading spaces, and a blank value (`-m " "`) deselects every item.
//! 4. With `strict_markers` (or `strict`) on, every identifier in `-m` must be a registered
//!    marker: `Unknown marker(s) in '-m' expression: a, b. Use 'pytest --markers' to see
//!    available markers.` Without it, an unknown mark simply matches nothing.
//! 5. `-m` is evaluated; items failing `-k` are deselected first, then those failing `-m`;
//!    the summary reports their total as `N deselected`.
//!
//! ## For discovery: what an [`Item`] must carry
//! - **`chain`**: every collector from the Session's child down to the item, with pytest's
//!   `name`s: directory basenames (`Dir`/`Package`), the module's file name *with* `.py`
//!   (`-k py` matches every test module), class names, and the function name including its
//!   `[id]`. `-k` skips the top node only when it is a `Dir`/`Package` (the rootdir), so a
//!   module hanging directly off the Session (given outside the rootdir) keeps its name.
//! - **`marks`**: everything `item.iter_markers()` yields: the function's decorators,
//!   `pytest.param(..., marks=)` for its parameter set, the class's decorators and
//!   `pytestmark` (base classes included, through the MRO) and the module's `pytestmark`.
//!   Include pytest's own marks too (`parametrize`, `usefixtures`, `skip`, `filterwarnings`,
//!   ...): `-k parametrize` selects every parametrized test and `-m parametrize` works.
//!   `-m` compares keyword arguments only (never positional ones) with Python `==`; record
//!   literal `str`/`int`/`bool`/`None` values and anything else as
//!   [`MarkValue::Opaque`](crate::item::MarkValue::Opaque). Limitation: pytest's
//!   `-m "a(x=1)"` also matches `x=1.0` or an `IntEnum` equal to 1; an Opaque value never
//!   matches. Marks added by conftest hooks at run time are invisible to static discovery.
//! - **`extra_keywords`**: the names in the test function's `__dict__` that do not start
//!   with `_` and are not `pytestmark` or `cache_parameters`: attributes assigned after the
//!   `def` (`test_f.slow = True`, also on methods), and attributes decorators leave
//!   (`unittest.mock.patch` adds `patchings`; `functools.wraps` copies the wrapped
//!   function's `__dict__` as it is at decoration time; other libraries' decorators, such
//!   as hypothesis' `@given`, leave their own). Class attributes do not count. Plugins may add
//!   names through `extra_keyword_matches` on the item or any parent; those go here too. The
//!   parametrize id is **not** an extra keyword in pytest 9.2: `-k 1-x` matches through the
//!   item name `test_p[1-x]`, so a `pytest.HIDDEN_PARAM` id cannot be matched. Doctest items
//!   have no function, hence no extra keywords.

pub mod expr;
pub mod matcher;
mod unicode;

pub use expr::{Expression, Kwargs, ParseError, ParseErrorKind, TokenKind};
pub use matcher::{keyword_matches, mark_matches, KeywordMatcher};

use crate::item::Item;

/// Which option an expression came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelectOption {
    /// `-k`: keyword expression.
    Keyword,
    /// `-m`: mark expression.
    Mark,
}

impl SelectOption {
    /// The flag as pytest names it in messages.
    pub fn flag(self) -> &'static str {
        match self {
            SelectOption::Keyword => "-k",
            SelectOption::Mark => "-m",
        }
    }
}

/// A usage error from `-k`/`-m`; `Display` is the text pytest prints after `ERROR: `.
/// The CLI exits with code 4 for all of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// The expression does not parse.
    #[error("Wrong expression passed to '{}': {source}", option.flag())]
    Syntax {
        option: SelectOption,
        #[source]
        source: ParseError,
    },
    /// `-k` reached an identifier written with keyword arguments.
    #[error("Keyword expressions do not support call parameters.")]
    KeywordCallParameters,
    /// Under `strict_markers`, `-m` names markers that are not registered (sorted).
    #[error(
        "Unknown marker(s) in '-m' expression: {}. Use 'pytest --markers' to see available \
         markers.",
        .0.join(", ")
    )]
    UnknownMarkers(Vec<String>),
}

/// Python's `str.isspace`: Unicode White_Space plus the separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Compiles an option's raw value as pytest reads it; `Ok(None)` means the option does not
/// filter. `-k` is left-stripped first (errors then quote the stripped text); `-m` is taken
/// verbatim and only an empty value is "no filter": a blank one matches no item.
pub fn compile_option(option: SelectOption, raw: &str) -> Result<Option<Expression>, SelectError> {
    let (text, blank_matches) = match option {
        SelectOption::Keyword => (raw.trim_start_matches(is_python_space), true),
        SelectOption::Mark => (raw, false),
    };
    if text.is_empty() {
        return Ok(None);
    }
    Expression::compile_with_empty(text, blank_matches)
        .map(Some)
        .map_err(|source| SelectError::Syntax { option, source })
}

/// The `--strict-markers` check of a `-m` expression: every identifier must satisfy
/// `is_registered` (the `markers` ini names plus pytest's and plugins' own marks).
pub fn check_marker_names(
    expr: &Expression,
    is_registered: &dyn Fn(&str) -> bool,
) -> Result<(), SelectError> {
    let unknown: Vec<String> = expr
        .idents()
        .into_iter()
        .filter(|name| !is_registered(name))
        .map(str::to_owned)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(SelectError::UnknownMarkers(unknown))
    }
}

/// The outcome of [`deselect_items`], each list in collection order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Items that pass both filters.
    pub selected: Vec<Item>,
    /// Items dropped by `-k`, then those dropped by `-m`.
    pub deselected: Vec<Item>,
}

/// pytest's `-k`/`-m` step over collected items, errors included, in pytest's order (see
/// the module docs). `keyword` and `markexpr` are the raw option values (`""` when not
/// given); `registered_markers` is `Some` only when `strict_markers` is on.
pub fn deselect_items(
    items: Vec<Item>,
    keyword: &str,
    markexpr: &str,
    registered_markers: Option<&dyn Fn(&str) -> bool>,
) -> Result<Selection, SelectError> {
    let mut selected = items;
    let mut deselected = Vec::new();
    if let Some(expr) = compile_option(SelectOption::Keyword, keyword)? {
        let mut remaining = Vec::with_capacity(selected.len());
        for item in selected {
            if keyword_matches(&item, &expr)? {
                remaining.push(item);
            } else {
                deselected.push(item);
            }
        }
        selected = remaining;
    }
    if let Some(expr) = compile_option(SelectOption::Mark, markexpr)? {
        if let Some(is_registered) = registered_markers {
            check_marker_names(&expr, is_registered)?;
        }
        let (keep, drop): (Vec<Item>, Vec<Item>) = selected
            .into_iter()
            .partition(|item| mark_matches(item, &expr));
        selected = keep;
        deselected.extend(drop);
    }
    Ok(Selection {
        selected,
        deselected,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::item::{ChainNode, Mark, NodeKind};

    fn item(name: &str, marks: &[&str]) -> Item {
        Item {
            nodeid: format!("tests/test_a.py::{name}"),
            chain: vec![
                ChainNode::new(NodeKind::Dir, "proj"),
                ChainNode::new(NodeKind::Dir, "tests"),
                ChainNode::new(NodeKind::Module, "test_a.py"),
                ChainNode::new(NodeKind::Function, name),
            ],
            lineno: None,
            marks: marks
                .iter()
                .map(|m| Mark {
                    name: (*m).to_owned(),
                    kwargs: vec![],
                })
                .collect(),
            extra_keywords: vec![],
            run: None,
        }
    }

    fn items() -> Vec<Item> {
        vec![
            item("test_one", &["slow"]),
            item("test_two", &[]),
            item("test_three", &["slow", "net"]),
        ]
    }

    fn names(items: &[Item]) -> Vec<&str> {
        items.iter().map(Item::name).collect()
    }

    fn error(keyword: &str, markexpr: &str) -> String {
        deselect_items(items(), keyword, markexpr, None)
            .unwrap_err()
            .to_string()
    }

    // Messages as pytest 9.2.0 printed them after `ERROR: `.
    #[test]
    fn option_errors_match_pytest() {
        assert_eq!(
            error("  and", ""),
            "Wrong expression passed to '-k': and: at column 1: expected not OR left \
             parenthesis OR identifier; got and"
        );
        assert_eq!(
            error("\tx and", ""),
            "Wrong expression passed to '-k': x and: at column 6: expected not OR left \
             parenthesis OR identifier; got end of input"
        );
        assert_eq!(
            error("", " slow and"),
            "Wrong expression passed to '-m':  slow and: at column 10: expected not OR left \
             parenthesis OR identifier; got end of input"
        );
        assert_eq!(
            error("", "device(x=1, x=2)"),
            "Wrong expression passed to '-m': None: at column 1: keyword argument repeated: x"
        );
        assert_eq!(
            error("a(x=1)", ""),
            "Keyword expressions do not support call parameters."
        );
        // `-k` is handled completely before `-m` is even parsed.
        assert_eq!(
            error("a(x=1)", "("),
            "Keyword expressions do not support call parameters."
        );
    }

    #[test]
    fn keyword_call_error_needs_an_evaluated_item() {
        let none = deselect_items(vec![], "a(x=1)", "", None).unwrap();
        assert_eq!(none, Selection::default());
        // A syntax error does not need items.
        assert!(deselect_items(vec![], "a and", "", None).is_err());
    }

    #[test]
    fn blank_options() {
        // Blank -k (after lstrip, including U+001C and NBSP) filters nothing.
        for keyword in ["", " ", "\t", "\n", "\u{1c}", "\u{a0}"] {
            let sel = deselect_items(items(), keyword, "", None).unwrap();
            assert_eq!(sel.selected.len(), 3, "{keyword:?}");
        }
        // Leading Python whitespace is stripped, trailing is not.
        let sel = deselect_items(items(), "\u{1c}\u{a0}two", "", None).unwrap();
        assert_eq!(names(&sel.selected), ["test_two"]);
        assert_eq!(
            error("two\u{a0}", ""),
            "Wrong expression passed to '-k': two\u{a0}: at column 4: unexpected character \
             \"\u{a0}\""
        );
        // `-m " "` deselects everything (pytest: 11 deselected, exit 5); `-m ""` nothing.
        let sel = deselect_items(items(), "", " ", None).unwrap();
        assert!(sel.selected.is_empty());
        assert_eq!(sel.deselected.len(), 3);
        let sel = deselect_items(items(), "", "", None).unwrap();
        assert_eq!(sel.selected.len(), 3);
        // A leading space in -m is fine when something follows.
        let sel = deselect_items(items(), "", "  slow", None).unwrap();
        assert_eq!(names(&sel.selected), ["test_one", "test_three"]);
    }

    #[test]
    fn keyword_then_mark_deselection_order() {
        let sel = deselect_items(items(), "not one", "not net", None).unwrap();
        assert_eq!(names(&sel.selected), ["test_two"]);
        assert_eq!(names(&sel.deselected), ["test_one", "test_three"]);
        let sel = deselect_items(items(), "not three", "not slow", None).unwrap();
        assert_eq!(names(&sel.deselected), ["test_three", "test_one"]);
    }

    #[test]
    fn strict_markers() {
        let registered = |name: &str| matches!(name, "skip" | "parametrize");
        let err = deselect_items(
            items(),
            "",
            "slow or zeta or (beta and device(x=1))",
            Some(&registered),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown marker(s) in '-m' expression: beta, device, slow, zeta. Use 'pytest \
             --markers' to see available markers."
        );
        let sel = deselect_items(items(), "", "skip or parametrize", Some(&registered)).unwrap();
        assert!(sel.selected.is_empty());
        // Not checked when -m is not given.
        assert!(deselect_items(items(), "", "", Some(&registered)).is_ok());
    }
}

//! The command-line options a conftest's `pytest_addoption` registers, read from its
//! source: each option's spellings and how many values argparse gives it. The CLI
//! needs them to tell an option's value from a path on a command line such as
//! `fastest --db-url x tests/` before any Python runs; pytest's own parser, in the
//! worker, still reads the values (their types, choices and defaults).
//!
//! Only what the source proves is returned: a hook that hands `parser` (or a group)
//! to other code, or an `addoption` call with computed names or arity, makes the
//! conftest's options unknown (`None`), and the command line goes to pytest whole.

use std::collections::HashSet;

use tree_sitter::{Node, Parser};

use super::parse::{call_arguments, decode_string, int_literal, Lit};
use super::syntax::field;

/// How many values argparse consumes after an option (`nargs`, or the action's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nargs {
    /// Exactly this many (`store_true` and friends take none, `store` one).
    Exact(usize),
    /// `nargs="?"`: one if the next token is no option.
    Optional,
    /// `nargs="*"` (at least 0) and `nargs="+"` (at least 1): every value up to the
    /// next option.
    AtLeast(usize),
}

/// One option a `pytest_addoption` hook registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliOption {
    /// Its spellings (`--db-url`, `-D`); `BooleanOptionalAction` adds the `--no-` forms.
    pub names: Vec<String>,
    pub nargs: Nargs,
}

/// The methods of pytest's `Parser` and `OptionGroup` a hook may call on them without
/// the source losing track of what is registered.
const KNOWN_METHODS: &[&str] = &["addoption", "_addoption", "addini", "getgroup"];

/// The options `src`'s `pytest_addoption` registers, in order: `Some(vec![])` without
/// the hook, `None` when the source does not prove them (see the module docs).
pub fn addoption_options(src: &[u8]) -> Option<Vec<CliOption>> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(src, None)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    // The hook is the module's one binding of the name, a plain top-level `def`.
    let mut uses = Vec::new();
    identifiers(root, src, "pytest_addoption", &mut uses);
    let Some(name) = uses.first().copied() else {
        return Some(Vec::new());
    };
    let def = name
        .parent()
        .filter(|d| d.kind() == "function_definition")?;
    let top = match def.parent()? {
        p if p.kind() == "decorated_definition" => p.parent()?,
        p => p,
    };
    if uses.len() != 1 || top.kind() != "module" {
        return None;
    }
    let params = field(def, "parameters")?;
    let mut names: HashSet<String> = HashSet::new();
    let mut c = params.walk();
    for p in params.named_children(&mut c) {
        // `parser` or `parser: pytest.Parser`.
        let name = match p.kind() {
            "identifier" => Some(p),
            "typed_parameter" => p.named_child(0).filter(|n| n.kind() == "identifier"),
            _ => None,
        };
        if name.and_then(|n| text(n, src)) == Some("parser") {
            names.insert("parser".into());
        }
    }
    let body = field(def, "body")?;
    if names.is_empty() {
        return Some(Vec::new());
    }
    // `group = parser.getgroup(...)`: the group's options are the parser's.
    let mut assigns = Vec::new();
    kinds(body, "assignment", &mut assigns);
    for a in assigns {
        if let (Some(left), Some(right)) = (field(a, "left"), field(a, "right")) {
            if left.kind() == "identifier" && is_method_call(right, src, &names, "getgroup") {
                names.insert(text(left, src)?.to_string());
            }
        }
    }
    // Every use of the parser or a group is a known method's call (or a group's
    // binding): nothing else can register an option the source does not show.
    for n in &names {
        let mut found = Vec::new();
        identifiers(body, src, n, &mut found);
        for id in found {
            let parent = id.parent()?;
            let ok = match parent.kind() {
                "attribute" => {
                    field(parent, "object") == Some(id)
                        && field(parent, "attribute")
                            .and_then(|a| text(a, src))
                            .is_some_and(|a| KNOWN_METHODS.contains(&a))
                }
                "assignment" => {
                    field(parent, "left") == Some(id)
                        && field(parent, "right")
                            .is_some_and(|r| is_method_call(r, src, &names, "getgroup"))
                }
                _ => false,
            };
            if !ok {
                return None;
            }
        }
    }
    let mut calls = Vec::new();
    kinds(body, "call", &mut calls);
    let mut out = Vec::new();
    for call in calls {
        let Some(func) = field(call, "function").filter(|f| f.kind() == "attribute") else {
            continue;
        };
        let method = field(func, "attribute").and_then(|a| text(a, src))?;
        if method != "addoption" && method != "_addoption" {
            continue;
        }
        // `x.addoption(...)` on anything but the parser or its groups: unknown.
        let object = field(func, "object")?;
        let known = (object.kind() == "identifier" && names.contains(text(object, src)?))
            || is_method_call(object, src, &names, "getgroup");
        if !known {
            return None;
        }
        out.push(option_of(call, src)?);
    }
    Some(out)
}

/// One `addoption(...)` call's option; `None` unless its names, action and nargs are
/// literals this module understands.
fn option_of(call: Node<'_>, src: &[u8]) -> Option<CliOption> {
    let mut names = Vec::new();
    let mut action: Option<String> = None;
    let mut boolean_optional = false;
    let mut nargs: Option<Nargs> = None;
    for arg in call_arguments(call)? {
        match arg.kind() {
            "string" => match decode_string(text(arg, src)?)? {
                Lit::Str(s) if s.starts_with('-') && s.len() > 1 => names.push(s),
                _ => return None,
            },
            "keyword_argument" => {
                let key = text(field(arg, "name")?, src)?;
                let value = field(arg, "value")?;
                match key {
                    "action" => match value.kind() {
                        "string" => match decode_string(text(value, src)?)? {
                            Lit::Str(s) => action = Some(s),
                            Lit::Bytes(_) => return None,
                        },
                        "attribute" | "identifier"
                            if text(value, src)?.ends_with("BooleanOptionalAction") =>
                        {
                            boolean_optional = true;
                        }
                        _ => return None,
                    },
                    "nargs" => {
                        nargs = Some(match value.kind() {
                            "integer" => {
                                Nargs::Exact(int_literal(text(value, src)?)?.parse().ok()?)
                            }
                            "string" => match decode_string(text(value, src)?)? {
                                Lit::Str(s) if s == "?" => Nargs::Optional,
                                Lit::Str(s) if s == "*" => Nargs::AtLeast(0),
                                Lit::Str(s) if s == "+" => Nargs::AtLeast(1),
                                _ => return None,
                            },
                            _ => return None,
                        });
                    }
                    _ => {}
                }
            }
            // `*names`, `**kwargs`, a computed name: not proved.
            _ => return None,
        }
    }
    if names.is_empty() {
        return None;
    }
    let nargs = if boolean_optional {
        if action.is_some() || nargs.is_some() {
            return None;
        }
        let negated: Vec<String> = names
            .iter()
            .filter_map(|n| n.strip_prefix("--").map(|rest| format!("--no-{rest}")))
            .collect();
        names.extend(negated);
        Nargs::Exact(0)
    } else {
        match action.as_deref().unwrap_or("store") {
            "store" | "append" | "extend" => nargs.unwrap_or(Nargs::Exact(1)),
            "store_const" | "store_true" | "store_false" | "append_const" | "count" | "help"
            | "version"
                if nargs.is_none() =>
            {
                Nargs::Exact(0)
            }
            _ => return None,
        }
    };
    Some(CliOption { names, nargs })
}

/// `<parser or group>.<method>(...)`.
fn is_method_call(n: Node<'_>, src: &[u8], names: &HashSet<String>, method: &str) -> bool {
    n.kind() == "call"
        && field(n, "function").is_some_and(|f| {
            f.kind() == "attribute"
                && field(f, "attribute").and_then(|a| text(a, src)) == Some(method)
                && field(f, "object").is_some_and(|o| {
                    o.kind() == "identifier" && text(o, src).is_some_and(|t| names.contains(t))
                })
        })
}

fn text<'s>(n: Node<'_>, src: &'s [u8]) -> Option<&'s str> {
    std::str::from_utf8(src.get(n.byte_range())?).ok()
}

/// The identifiers spelled `name` under `n`, in source order.
fn identifiers<'t>(n: Node<'t>, src: &[u8], name: &str, out: &mut Vec<Node<'t>>) {
    if n.kind() == "identifier" {
        if text(n, src) == Some(name) {
            out.push(n);
        }
        return;
    }
    let mut c = n.walk();
    for child in n.children(&mut c) {
        identifiers(child, src, name, out);
    }
}

/// The nodes of `kind` under `n`, in source order.
fn kinds<'t>(n: Node<'t>, kind: &str, out: &mut Vec<Node<'t>>) {
    if n.kind() == kind {
        out.push(n);
    }
    let mut c = n.walk();
    for child in n.children(&mut c) {
        kinds(child, kind, out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn opts(src: &str) -> Option<Vec<(Vec<String>, Nargs)>> {
        addoption_options(src.as_bytes())
            .map(|v| v.into_iter().map(|o| (o.names, o.nargs)).collect())
    }

    fn one(names: &[&str], nargs: Nargs) -> (Vec<String>, Nargs) {
        (names.iter().map(|s| (*s).to_string()).collect(), nargs)
    }

    #[test]
    fn reads_options_of_the_parser_and_its_groups() {
        let src = r#"
"""Mentions pytest_addoption in a docstring."""
import argparse

def pytest_addoption(parser, pluginmanager):
    parser.addoption("--runslow", action="store_true", default=False, help="x")
    parser.addoption("--db-url", "-D", default="sqlite://")
    group = parser.getgroup("custom")
    group.addoption("--tag", action="append", dest="tags", type=str)
    parser.getgroup("other").addoption("--pair", nargs=2)
    parser.addoption("--maybe", nargs="?", const="c")
    parser.addoption("--many", nargs="*")
    parser.addoption("--color-it", action=argparse.BooleanOptionalAction)
    parser.addoption("-v2", action="count")
    parser.addini("key", "help")
"#;
        assert_eq!(
            opts(src).unwrap(),
            vec![
                one(&["--runslow"], Nargs::Exact(0)),
                one(&["--db-url", "-D"], Nargs::Exact(1)),
                one(&["--tag"], Nargs::Exact(1)),
                one(&["--pair"], Nargs::Exact(2)),
                one(&["--maybe"], Nargs::Optional),
                one(&["--many"], Nargs::AtLeast(0)),
                one(&["--color-it", "--no-color-it"], Nargs::Exact(0)),
                one(&["-v2"], Nargs::Exact(0)),
            ]
        );
    }

    #[test]
    fn no_hook_registers_nothing() {
        assert_eq!(opts("import pytest\n").unwrap(), vec![]);
        assert_eq!(
            opts("def pytest_addoption(pluginmanager):\n    pass\n").unwrap(),
            vec![]
        );
    }

    #[test]
    fn what_the_source_cannot_prove_is_unknown() {
        for src in [
            // Computed names, splats, unknown actions and nargs.
            "def pytest_addoption(parser):\n    for n in ['--a']:\n        parser.addoption(n)\n",
            "def pytest_addoption(parser):\n    parser.addoption(*ARGS)\n",
            "def pytest_addoption(parser):\n    parser.addoption('--a', **KW)\n",
            "def pytest_addoption(parser):\n    parser.addoption('--a', action=MyAction)\n",
            "def pytest_addoption(parser):\n    parser.addoption('--a', nargs=N)\n",
            "def pytest_addoption(parser):\n    parser.addoption('--a', nargs=argparse.REMAINDER)\n",
            "def pytest_addoption(parser):\n    parser.addoption('--a', action='store_true', nargs=1)\n",
            // The parser or a group handed to other code.
            "def pytest_addoption(parser):\n    register(parser)\n",
            "def pytest_addoption(parser):\n    g = parser.getgroup('x')\n    helper(g)\n",
            "def pytest_addoption(parser):\n    p = parser\n    p.addoption('--a')\n",
            "def pytest_addoption(parser):\n    other.addoption('--a')\n",
            // The hook bound otherwise, or twice.
            "from plugin import pytest_addoption\n",
            "def pytest_addoption(parser):\n    pass\ndef pytest_addoption(parser):\n    pass\n",
            "if X:\n    def pytest_addoption(parser):\n        parser.addoption('--a')\n",
            // A syntax error.
            "def pytest_addoption(parser):\n    parser.addoption('--a'\n",
        ] {
            assert_eq!(opts(src), None, "{src}");
        }
    }

    #[test]
    fn annotated_parser_is_read() {
        // pytest-socket's hook: `parser: pytest.Parser`, options on a group.
        let src = "import pytest\ndef pytest_addoption(parser: pytest.Parser) -> None:\n    group = parser.getgroup('socket')\n    group.addoption('--disable-socket', action='store_true')\n    group.addoption('--allow-hosts', dest='allow_hosts', metavar='CSV')\n";
        assert_eq!(
            opts(src).unwrap(),
            vec![
                one(&["--disable-socket"], Nargs::Exact(0)),
                one(&["--allow-hosts"], Nargs::Exact(1)),
            ]
        );
    }

    #[test]
    fn decorated_hook_is_read() {
        let src = "import pytest\n@pytest.hookimpl(tryfirst=True)\ndef pytest_addoption(parser):\n    parser.addoption('--x', action='store_true')\n";
        assert_eq!(opts(src).unwrap(), vec![one(&["--x"], Nargs::Exact(0))]);
    }
}

//! What CPython refuses (or warns about) when it compiles a module, although
//! tree-sitter-python parsed it without an error node.
//!
//! tree-sitter's grammar is deliberately permissive: it accepts Python 2 statements, any
//! indentation its scanner can pair up, `return` at module level, `*a = 1`, invalid escapes
//! and much more. pytest imports every test module, so anything CPython rejects is a
//! collection error and anything it warns about (invalid escapes, `x is 1`, `"a"()`) is a
//! line in the warnings summary. Only pytest's own import reproduces those texts, so this
//! module finds the first construct that *could* make CPython complain, and the file is
//! then uncertain. The rules err on the side of "could": a false alarm costs an import,
//! a miss prints a result pytest would not.
//!
//! One walk over the tree with a single cursor and a context stack (no allocation per
//! node); node kinds are classified once through a table indexed by kind id. The source
//! bytes are only scanned once more, and only to look for NUL and other bytes outside
//! printable ASCII (a vectorisable pass).

use std::collections::HashSet;
use std::sync::OnceLock;

use tree_sitter::{Node, TreeCursor};

use super::patterns;

/// A CPython `major.minor`: which syntax compiles depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyVersion(pub u32, pub u32);

impl PyVersion {
    /// The oldest Python pytest 9 supports; the assumption when the version is unknown,
    /// so that syntax only newer versions accept makes the file uncertain.
    pub const MIN: PyVersion = PyVersion(3, 10);

    /// `"3.11.7"` → `PyVersion(3, 11)`.
    pub fn parse(s: &str) -> Option<PyVersion> {
        let mut it = s.split('.');
        let major = it.next()?.trim().parse().ok()?;
        let minor = it.next()?.trim().parse().ok()?;
        Some(PyVersion(major, minor))
    }

    fn at_least(self, major: u32, minor: u32) -> bool {
        self >= PyVersion(major, minor)
    }
}

impl Default for PyVersion {
    fn default() -> Self {
        PyVersion::MIN
    }
}

/// The platform the workers' interpreter runs on, as module-level conditions test it
/// (`sys.platform`, `os.name`, `platform.system()`): `Unknown` decides none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Platform {
    #[default]
    Unknown,
    Linux,
    Darwin,
    Windows,
}

impl Platform {
    /// From the interpreter's `sys.platform`; a platform other than these three (a BSD,
    /// cygwin) is `Unknown`: its values are not modelled.
    pub fn from_sys_platform(s: &str) -> Platform {
        match s {
            "linux" => Platform::Linux,
            "darwin" => Platform::Darwin,
            "win32" => Platform::Windows,
            _ => Platform::Unknown,
        }
    }

    /// `sys.platform`.
    pub fn sys_platform(self) -> Option<&'static str> {
        match self {
            Platform::Linux => Some("linux"),
            Platform::Darwin => Some("darwin"),
            Platform::Windows => Some("win32"),
            Platform::Unknown => None,
        }
    }

    /// `os.name`.
    pub fn os_name(self) -> Option<&'static str> {
        match self {
            Platform::Linux | Platform::Darwin => Some("posix"),
            Platform::Windows => Some("nt"),
            Platform::Unknown => None,
        }
    }

    /// `platform.system()`.
    pub fn system(self) -> Option<&'static str> {
        match self {
            Platform::Linux => Some("Linux"),
            Platform::Darwin => Some("Darwin"),
            Platform::Windows => Some("Windows"),
            Platform::Unknown => None,
        }
    }
}

/// The workers' interpreter's implementation, as module-level conditions test it
/// (`platform.python_implementation()`, `sys.implementation.name`): `Unknown` decides
/// none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Implementation {
    #[default]
    Unknown,
    CPython,
    PyPy,
}

impl Implementation {
    /// From the interpreter's `sys.implementation.name`; another (GraalPy) is `Unknown`.
    pub fn from_name(s: &str) -> Implementation {
        match s {
            "cpython" => Implementation::CPython,
            "pypy" => Implementation::PyPy,
            _ => Implementation::Unknown,
        }
    }

    /// `sys.implementation.name`.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Implementation::CPython => Some("cpython"),
            Implementation::PyPy => Some("pypy"),
            Implementation::Unknown => None,
        }
    }

    /// `platform.python_implementation()`.
    pub fn python_implementation(self) -> Option<&'static str> {
        match self {
            Implementation::CPython => Some("CPython"),
            Implementation::PyPy => Some("PyPy"),
            Implementation::Unknown => None,
        }
    }
}

/// What a module's import is read for: the interpreter's version (which syntax
/// compiles, which `sys.version_info` branch runs), its platform and implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Target {
    pub python: PyVersion,
    pub platform: Platform,
    pub implementation: Implementation,
}

impl From<PyVersion> for Target {
    fn from(python: PyVersion) -> Self {
        Target {
            python,
            ..Target::default()
        }
    }
}

/// Facts the walk gathers on the way, for the import and mark checks.
#[derive(Debug, Default)]
pub struct Facts {
    /// Imports executed when the module is imported (module and class bodies), except
    /// those inside a `try` whose handlers catch `ImportError` (but see [`TryRole`]).
    pub imports: Vec<ImportRef>,
    /// Names `NAME` of every `pytest.mark.NAME` the file mentions.
    pub mark_names: Vec<String>,
    /// Start bytes of the `def`s whose own body yields (generators).
    pub generator_defs: HashSet<usize>,
}

/// One imported module: `import a.b` → `{level: 0, module: "a.b"}`;
/// `from ..x import y` → `{level: 2, module: "x", names: ["y"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRef {
    pub level: u32,
    pub module: String,
    /// Names after `from ... import` (empty for `import` and `*`).
    pub names: Vec<String>,
    pub line: u32,
    /// When the import runs: always, or as one side of a `try`/`except ImportError`.
    pub role: TryRole,
}

/// Where an import stands in a `try` whose handlers catch `ImportError`
/// (`try: from unittest import mock` / `except ImportError: import mock`): the handler's
/// imports only run when an import of the `try` fails. Only a `try` body made of
/// imports and constant bindings is tracked this way (the group is its start byte):
/// with anything else in the body, the handler's imports count as [`TryRole::Always`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TryRole {
    /// Runs whenever the module is imported: it must resolve.
    #[default]
    Always,
    /// In the body of the `try` group: a failure is caught.
    Attempt(u32),
    /// In a handler of the `try` group that catches `ImportError`: runs (and must
    /// resolve) only when one of the group's attempts does not.
    Fallback(u32),
}

/// The group id of a tracked `try` statement ([`TryRole`]): its start byte plus one (0
/// means none).
fn try_group(try_stmt: Node<'_>) -> u32 {
    u32::try_from(try_stmt.start_byte())
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

/// Names through which the file refers to pytest's mark generator.
pub struct MarkAliases<'s> {
    /// Names bound to the `pytest` module (`pytest.mark.X`).
    pub pytest: &'s HashSet<String>,
    /// Names bound to `pytest.mark` itself (`mark.X`).
    pub mark: &'s HashSet<String>,
}

/// Check a tree-sitter tree that has no error node. `Err(reason)` names the first
/// construct CPython could reject or warn about.
pub fn check(
    src: &[u8],
    root: Node<'_>,
    py: PyVersion,
    aliases: &MarkAliases<'_>,
    facts: &mut Facts,
) -> Result<(), String> {
    check_bytes(src, root)?;
    check_coding(src)?;
    let mut w = Walker {
        src,
        py,
        table: kind_table(),
        aliases,
        facts,
        reason: None,
        scratch: root.walk(),
        root,
        lines: Lines::default(),
        pool: Vec::new(),
    };
    w.walk(root);
    match w.reason {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

/// NUL bytes (CPython: "source code cannot contain null bytes"), a final backslash
/// (unexpected EOF) and, when the file holds anything outside printable ASCII, any such
/// byte outside a string, comment or identifier (tree-sitter skips `\v`, NBSP, zero-width
/// spaces as whitespace; CPython reports "invalid non-printable character").
fn check_bytes(src: &[u8], root: Node<'_>) -> Result<(), String> {
    // One branch-free fold per chunk, so the common all-ASCII file costs a memory scan.
    let unusual = src.chunks(64).any(|c| {
        c.iter().fold(false, |acc, &b| {
            acc | (b >= 0x7f)
                | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') & (b != 0x0c))
        })
    });
    let trimmed = src
        .iter()
        .rposition(|b| !matches!(b, b'\n' | b'\r'))
        .map_or(&src[..0], |i| &src[..=i]);
    if trimmed.ends_with(b"\\") {
        return Err("backslash continuation at end of file".into());
    }
    if !unusual {
        return Ok(());
    }
    if src.contains(&0) {
        return Err("null byte in source".into());
    }
    // Walk the leaves in order; the bytes between two leaves must be plain whitespace.
    let mut cur = root.walk();
    // A UTF-8 byte order mark opens the file for CPython's tokenizer, not a token.
    let mut last_end = if src.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let gap_ok = |from: usize, to: usize| -> bool {
        src.get(from..to).is_some_and(|g| {
            g.iter().enumerate().all(|(i, b)| match b {
                b' ' | b'\t' | b'\x0c' | b'\r' | b'\n' => true,
                // A line continuation.
                b'\\' => matches!(g.get(i + 1), Some(b'\n' | b'\r')),
                _ => false,
            })
        })
    };
    loop {
        let n = cur.node();
        // String contents and format specs hold text not covered by child leaves.
        let opaque = matches!(n.kind(), "string_content" | "comment" | "format_specifier");
        if !opaque && cur.goto_first_child() {
            continue;
        }
        if n.child_count() == 0 || opaque {
            if n.start_byte() > last_end && !gap_ok(last_end, n.start_byte()) {
                return Err(format!(
                    "character CPython rejects outside a token (line {})",
                    n.start_position().row + 1
                ));
            }
            last_end = last_end.max(n.end_byte());
        }
        loop {
            if cur.goto_next_sibling() {
                break;
            }
            if !cur.goto_parent() {
                if !gap_ok(last_end, src.len()) {
                    return Err("character CPython rejects at end of file".into());
                }
                return Ok(());
            }
        }
    }
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// The `encodings` aliases of `utf_8` (with `_` written `-`, as they are compared).
const UTF8_ALIASES: &[&str] = &["utf8", "u8", "utf", "utf8-ucs2", "utf8-ucs4", "cp65001"];

/// A `coding:` declaration on line 1 or 2 (PEP 263). Anything but UTF-8 changes how
/// CPython decodes the bytes (or is an unknown codec, a SyntaxError).
fn check_coding(src: &[u8]) -> Result<(), String> {
    let bom = src.starts_with(UTF8_BOM);
    let src = src.strip_prefix(UTF8_BOM).unwrap_or(src);
    let mut lines = src
        .split(|&b| b == b'\n')
        .map(|l| l.split(|&b| b == b'\r').next().unwrap_or(l));
    for _ in 0..2 {
        let Some(line) = lines.next() else { break };
        let t = trim_ws(line);
        if !t.starts_with(b"#") {
            if t.is_empty() {
                continue;
            }
            break;
        }
        // `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`: the first `coding` followed by : or =.
        let mut from = 0;
        while let Some(at) = find(&t[from..], b"coding") {
            let rest = &t[from + at + 6..];
            from += at + 6;
            if !matches!(rest.first(), Some(b':' | b'=')) {
                continue;
            }
            let name: Vec<u8> = rest[1..]
                .iter()
                .skip_while(|b| matches!(b, b' ' | b'\t'))
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                .map(u8::to_ascii_lowercase)
                .collect();
            let name = String::from_utf8_lossy(&name).replace('_', "-");
            // CPython's `get_normal_name`: only these mean UTF-8 also after a BOM.
            if name == "utf-8" || name.starts_with("utf-8-") {
                return Ok(());
            }
            // Python's other names of the UTF-8 codec decode the same bytes; after a
            // BOM they are "encoding problem: utf8 with BOM".
            if !bom && UTF8_ALIASES.contains(&name.as_str()) {
                return Ok(());
            }
            return Err(format!("source declares the `{name}` encoding"));
        }
    }
    Ok(())
}

fn trim_ws(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .unwrap_or(s.len());
    &s[start..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The node kinds the walk treats specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Other,
    Module,
    Block,
    Comment,
    LineContinuation,
    ExpressionStatement,
    Return,
    Yield,
    Await,
    Break,
    Continue,
    Global,
    Nonlocal,
    Python2,
    FutureImport,
    Import,
    ImportFrom,
    FunctionDef,
    ClassDef,
    Decorated,
    Lambda,
    Parameters,
    LambdaParameters,
    For,
    While,
    Try,
    Except,
    Finally,
    Else,
    Elif,
    If,
    With,
    WithItem,
    Match,
    CaseClause,
    CasePattern,
    Comprehension,
    ForIn,
    ArgumentList,
    Call,
    Subscript,
    ListSplat,
    ListSplatPattern,
    DictSplat,
    Parenthesized,
    NamedExpr,
    AsPattern,
    Assignment,
    AugAssignment,
    Delete,
    Assert,
    Raise,
    Comparison,
    Str,
    ConcatStr,
    StringContent,
    Interpolation,
    FormatSpec,
    TypeConversion,
    Integer,
    Float,
    Identifier,
    TypeAlias,
    TypeParams,
    SplatType,
    ConstrainedType,
    Tuple,
    List,
    Set,
    ExpressionList,
    PatternList,
    TuplePattern,
    ListPattern,
    Attribute,
    Dictionary,
    ConditionalExpr,
    Decorator,
    IfClause,
    Keyword,
    TypedParameter,
    /// Anonymous `(`, `[`, `{` and their closers.
    Open,
    Close,
    StringStart,
    StringEnd,
}

fn classify(name: &str, named: bool) -> K {
    if !named {
        return match name {
            "(" | "[" | "{" => K::Open,
            ")" | "]" | "}" => K::Close,
            _ => K::Other,
        };
    }
    match name {
        "module" => K::Module,
        "block" => K::Block,
        "comment" => K::Comment,
        "line_continuation" => K::LineContinuation,
        "expression_statement" => K::ExpressionStatement,
        "return_statement" => K::Return,
        "yield" => K::Yield,
        "await" => K::Await,
        "break_statement" => K::Break,
        "continue_statement" => K::Continue,
        "global_statement" => K::Global,
        "nonlocal_statement" => K::Nonlocal,
        "print_statement" | "exec_statement" | "chevron" => K::Python2,
        "future_import_statement" => K::FutureImport,
        "import_statement" => K::Import,
        "import_from_statement" => K::ImportFrom,
        "function_definition" => K::FunctionDef,
        "class_definition" => K::ClassDef,
        "decorated_definition" => K::Decorated,
        "lambda" => K::Lambda,
        "parameters" => K::Parameters,
        "lambda_parameters" => K::LambdaParameters,
        "for_statement" => K::For,
        "while_statement" => K::While,
        "try_statement" => K::Try,
        "except_clause" | "except_group_clause" => K::Except,
        "finally_clause" => K::Finally,
        "else_clause" => K::Else,
        "elif_clause" => K::Elif,
        "if_statement" => K::If,
        "with_statement" => K::With,
        "with_item" => K::WithItem,
        "match_statement" => K::Match,
        "case_clause" => K::CaseClause,
        "case_pattern" => K::CasePattern,
        "list_comprehension"
        | "set_comprehension"
        | "dictionary_comprehension"
        | "generator_expression" => K::Comprehension,
        "for_in_clause" => K::ForIn,
        "argument_list" => K::ArgumentList,
        "call" => K::Call,
        "subscript" => K::Subscript,
        "list_splat" => K::ListSplat,
        "list_splat_pattern" => K::ListSplatPattern,
        "dictionary_splat" => K::DictSplat,
        "parenthesized_expression" => K::Parenthesized,
        "named_expression" => K::NamedExpr,
        "as_pattern" => K::AsPattern,
        "assignment" => K::Assignment,
        "augmented_assignment" => K::AugAssignment,
        "delete_statement" => K::Delete,
        "assert_statement" => K::Assert,
        "raise_statement" => K::Raise,
        "comparison_operator" => K::Comparison,
        "string" => K::Str,
        "concatenated_string" => K::ConcatStr,
        "string_content" => K::StringContent,
        "string_start" => K::StringStart,
        "string_end" => K::StringEnd,
        "interpolation" | "format_expression" => K::Interpolation,
        "format_specifier" => K::FormatSpec,
        "type_conversion" => K::TypeConversion,
        "integer" => K::Integer,
        "float" => K::Float,
        "identifier" => K::Identifier,
        "type_alias_statement" => K::TypeAlias,
        "type_parameter" => K::TypeParams,
        "splat_type" => K::SplatType,
        "constrained_type" => K::ConstrainedType,
        "tuple" => K::Tuple,
        "list" => K::List,
        "set" => K::Set,
        "expression_list" => K::ExpressionList,
        "pattern_list" => K::PatternList,
        "tuple_pattern" => K::TuplePattern,
        "list_pattern" => K::ListPattern,
        "attribute" => K::Attribute,
        "dictionary" => K::Dictionary,
        "conditional_expression" => K::ConditionalExpr,
        "decorator" => K::Decorator,
        "if_clause" => K::IfClause,
        "keyword_argument" => K::Keyword,
        "typed_parameter" => K::TypedParameter,
        _ => K::Other,
    }
}

/// The grammar's field names fastest looks up, resolved to ids once:
/// `child_by_field_name` compares its argument with every field name of the grammar on
/// each call, which showed up in profiles.
const FIELDS: [&str; 28] = [
    "alias",
    "argument",
    "arguments",
    "attribute",
    "body",
    "cause",
    "definition",
    "expression",
    "format_specifier",
    "function",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "parameters",
    "right",
    "superclasses",
    "type",
    "type_conversion",
    "type_parameters",
    "value",
    "subscript",
    "condition",
    "consequence",
    "alternative",
    "key",
    "operators",
];

fn field_index(name: &str) -> Option<usize> {
    Some(match name {
        "alias" => 0,
        "argument" => 1,
        "arguments" => 2,
        "attribute" => 3,
        "body" => 4,
        "cause" => 5,
        "definition" => 6,
        "expression" => 7,
        "format_specifier" => 8,
        "function" => 9,
        "left" => 10,
        "module_name" => 11,
        "name" => 12,
        "object" => 13,
        "operator" => 14,
        "parameters" => 15,
        "right" => 16,
        "superclasses" => 17,
        "type" => 18,
        "type_conversion" => 19,
        "type_parameters" => 20,
        "value" => 21,
        "subscript" => 22,
        "condition" => 23,
        "consequence" => 24,
        "alternative" => 25,
        "key" => 26,
        "operators" => 27,
        _ => return None,
    })
}

/// `n.child_by_field_name(name)`, through a cached field id.
pub(crate) fn field<'t>(n: Node<'t>, name: &str) -> Option<Node<'t>> {
    static IDS: OnceLock<Vec<u16>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        FIELDS
            .iter()
            .map(|f| {
                lang.field_id_for_name(f)
                    .map_or(0, std::num::NonZeroU16::get)
            })
            .collect()
    });
    match field_index(name).and_then(|i| ids.get(i)) {
        Some(&id) if id != 0 => n.child_by_field_id(id),
        _ => n.child_by_field_name(name),
    }
}

/// Kind id → [`K`], built once from the grammar (aliases share names, not ids).
fn kind_table() -> &'static [K] {
    static TABLE: OnceLock<Vec<K>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let count = u16::try_from(lang.node_kind_count()).unwrap_or(u16::MAX);
        (0..count)
            .map(|id| {
                lang.node_kind_for_id(id)
                    .map_or(K::Other, |name| classify(name, lang.node_kind_is_named(id)))
            })
            .collect()
    })
}

/// The scope a node is evaluated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Module,
    Class,
    Def { is_async: bool },
    Lambda,
}

/// An f-string's quoting, for the pre-3.12 rules on its replacement fields.
#[derive(Debug, Clone, Copy)]
struct FStr {
    quote: u8,
    triple: bool,
}

/// Context of a node, inherited by its children unless the parent changes it.
#[derive(Debug, Clone, Copy)]
struct Cx {
    scope: Scope,
    /// Inside any function (def or lambda): statements here do not run at import.
    in_function: bool,
    in_loop: bool,
    in_except_star: bool,
    in_finally: bool,
    in_comprehension: bool,
    /// Inside a `case` clause's patterns (checked whole by [`patterns::check_match`]).
    in_pattern: bool,
    /// Inside the body of a `try` whose handlers catch `ImportError`.
    import_guarded: bool,
    /// The tracked `try` group whose body this is (0: none; see [`TryRole`]).
    attempt: u32,
    /// The tracked `try` group whose `ImportError` handler this is (0: none).
    fallback: u32,
    /// Inside the type parameters of a `def`/`class`/`type` statement.
    in_type_params: bool,
    /// The string whose parts are being visited.
    string: Option<FStr>,
    /// Inside a replacement field of this f-string.
    fexpr: Option<FStr>,
    fspec_depth: u8,
    /// Nested loops, `try` and `with` blocks in the current code object.
    blocks: u8,
}

/// How a statement starts its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ind {
    /// After `;` or `:` on the same line.
    Inline,
    /// First on its line: column with tabs to 8 and with tabs to 1.
    Line(u32, u32),
    /// After a backslash continuation: CPython's view of the line is not tree-sitter's.
    Joined,
}

/// A nesting depth no test file reaches; deeper trees may hit CPython's parser limits.
const MAX_DEPTH: usize = 200;

struct Frame<'t> {
    k: K,
    cx: Cx,
    node: Node<'t>,
}

struct Walker<'t, 'f, 's> {
    src: &'t [u8],
    py: PyVersion,
    table: &'static [K],
    aliases: &'f MarkAliases<'s>,
    facts: &'f mut Facts,
    reason: Option<String>,
    /// A cursor for scanning a node's children (reset, never reallocated).
    scratch: TreeCursor<'t>,
    root: Node<'t>,
    lines: Lines,
    pool: Vec<Node<'t>>,
}

/// Where logical lines break, followed leaf by leaf: tree-sitter lets an incomplete
/// expression run on over a newline (`x &= <newline> y = 2`), CPython ends the line.
#[derive(Default)]
struct Lines {
    /// Start of the last statement, clause or decorator entered.
    start: usize,
    /// Open brackets (including those of f-string replacement fields).
    depth: i32,
    /// Inside a string token (its parts are leaves too).
    in_string: i32,
    prev_row: usize,
    prev_end: usize,
    /// The previous leaf was a backslash continuation.
    continued: bool,
}

impl<'t> Walker<'t, '_, '_> {
    fn kind(&self, n: Node<'_>) -> K {
        self.table
            .get(usize::from(n.kind_id()))
            .copied()
            .unwrap_or(K::Other)
    }

    fn text(&self, n: Node<'_>) -> &'t [u8] {
        self.src.get(n.byte_range()).unwrap_or(&[])
    }

    fn flag(&mut self, n: Node<'_>, what: &str) {
        if self.reason.is_none() {
            self.reason = Some(format!("{what} (line {})", n.start_position().row + 1));
        }
    }

    /// Named children other than comments and line continuations, in a buffer taken
    /// from the pool (give it back with `self.pool = v` to save the allocation).
    fn children(&mut self, n: Node<'t>) -> Vec<Node<'t>> {
        self.scratch.reset(n);
        let mut out = std::mem::take(&mut self.pool);
        out.clear();
        if self.scratch.goto_first_child() {
            loop {
                let c = self.scratch.node();
                if c.is_named() && !matches!(self.kind(c), K::Comment | K::LineContinuation) {
                    out.push(c);
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
        out
    }

    /// Whether `n` has an anonymous child token with this text.
    fn has_token(&mut self, n: Node<'t>, tok: &str) -> bool {
        self.scratch.reset(n);
        if self.scratch.goto_first_child() {
            loop {
                let c = self.scratch.node();
                if !c.is_named() && c.kind() == tok {
                    return true;
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
        false
    }

    fn walk(&mut self, root: Node<'t>) {
        let top = Cx {
            scope: Scope::Module,
            in_function: false,
            in_loop: false,
            in_except_star: false,
            in_finally: false,
            in_comprehension: false,
            in_pattern: false,
            import_guarded: false,
            attempt: 0,
            fallback: 0,
            in_type_params: false,
            string: None,
            fexpr: None,
            fspec_depth: 0,
            blocks: 0,
        };
        let mut stack: Vec<Frame<'t>> = Vec::with_capacity(64);
        let mut cur = root.walk();
        loop {
            let n = cur.node();
            let k = self.kind(n);
            // `Node::parent` walks down from the root; the stack already knows it.
            let mut parent = stack.last().map(|f| (f.k, f.node));
            if k == K::ListSplat {
                // tree-sitter binds `*f(x).y` as `(*f)(x).y`: the star's real parent is
                // above the call/attribute/subscript chain it starts.
                parent = stack
                    .iter()
                    .rev()
                    .find(|f| {
                        !(matches!(f.k, K::Call | K::Attribute | K::Subscript)
                            && f.node.start_byte() == n.start_byte())
                    })
                    .map(|f| (f.k, f.node));
            }
            let cx = match stack.last() {
                Some(f) => {
                    // Only these parents give a field a context of its own.
                    let field = if matches!(
                        f.k,
                        K::FunctionDef
                            | K::ClassDef
                            | K::Lambda
                            | K::For
                            | K::While
                            | K::Try
                            | K::With
                            | K::TypeAlias
                    ) {
                        cur.field_name()
                    } else {
                        None
                    };
                    self.child_cx(f.k, f.cx, f.node, field, k)
                }
                None => top,
            };
            if n.is_named() {
                let line_starter =
                    matches!(
                        stack.last().map(|f| f.k),
                        Some(K::Module | K::Block | K::Decorated)
                    ) || matches!(k, K::Else | K::Elif | K::Except | K::Finally | K::Decorator);
                if line_starter {
                    self.lines.start = n.start_byte();
                }
                self.enter(n, k, parent, cx);
            }
            // (A module of blank lines only is a node without children, not a token.)
            if n.child_count() == 0 && k != K::Module {
                self.leaf(n, k);
            }
            if k == K::Yield {
                // The innermost def/lambda/class owns the yield; a def is a generator.
                let owner = stack
                    .iter()
                    .rev()
                    .find(|f| matches!(f.k, K::FunctionDef | K::Lambda | K::ClassDef));
                if let Some(f) = owner.filter(|f| f.k == K::FunctionDef) {
                    self.facts.generator_defs.insert(f.node.start_byte());
                }
            }
            if self.reason.is_some() {
                return;
            }
            if stack.len() > MAX_DEPTH {
                self.flag(n, "nesting deeper than CPython's parser may accept");
                return;
            }
            stack.push(Frame { k, cx, node: n });
            if cur.goto_first_child() {
                continue;
            }
            stack.pop();
            loop {
                if cur.goto_next_sibling() {
                    break;
                }
                if !cur.goto_parent() {
                    return;
                }
                stack.pop();
            }
        }
    }

    /// The context of child `n` (kind `k`, in field `field`) of a `parent_k` node.
    fn child_cx(
        &mut self,
        parent_k: K,
        mut cx: Cx,
        parent: Node<'t>,
        field: Option<&str>,
        k: K,
    ) -> Cx {
        let new_code_object = |cx: &mut Cx, scope: Scope| {
            cx.scope = scope;
            cx.in_loop = false;
            cx.in_except_star = false;
            cx.in_finally = false;
            cx.in_comprehension = false;
            cx.blocks = 0;
        };
        match (parent_k, field) {
            (K::FunctionDef, Some("body")) => {
                let is_async = parent.child(0).is_some_and(|c| c.kind() == "async");
                new_code_object(&mut cx, Scope::Def { is_async });
                cx.in_function = true;
            }
            (K::FunctionDef | K::ClassDef, Some("type_parameters")) => cx.in_type_params = true,
            (K::TypeAlias, Some("left")) => cx.in_type_params = true,
            (K::Lambda, Some("body")) => {
                new_code_object(&mut cx, Scope::Lambda);
                cx.in_function = true;
            }
            (K::ClassDef, Some("body")) => new_code_object(&mut cx, Scope::Class),
            (K::For | K::While, Some("body")) => {
                cx.in_loop = true;
                cx.in_except_star = false;
                cx.in_finally = false;
                cx.blocks = cx.blocks.saturating_add(1);
            }
            (K::Try, Some("body")) => {
                cx.blocks = cx.blocks.saturating_add(1);
                let guards = self.catches_import_error(parent);
                cx.attempt = if guards && !cx.import_guarded && self.only_imports(parent) {
                    try_group(parent)
                } else {
                    0
                };
                cx.import_guarded |= guards;
            }
            (K::With, Some("body")) => cx.blocks = cx.blocks.saturating_add(1),
            (K::Except, _) if k == K::Block => {
                cx.blocks = cx.blocks.saturating_add(1);
                // The handler of a tracked group runs only when an attempt fails.
                if let Some(t) = parent.parent().filter(|t| t.kind() == "try_statement") {
                    if !cx.import_guarded
                        && self.clause_catches_import_error(parent)
                        && self.catches_import_error(t)
                        && self.only_imports(t)
                    {
                        cx.fallback = try_group(t);
                    }
                }
                if self.has_token(parent, "*") || self.has_token(parent, "except*") {
                    cx.in_except_star = true;
                }
            }
            (K::Finally, _) if k == K::Block => {
                cx.blocks = cx.blocks.saturating_add(1);
                cx.in_finally = true;
            }
            (K::Comprehension, _) => cx.in_comprehension = true,
            (K::CaseClause, _) if k == K::CasePattern => cx.in_pattern = true,
            (K::Str, _) => cx.string = self.fstring_of(parent),
            (K::Interpolation, _) => {
                cx.fexpr = cx.string;
                cx.string = None;
            }
            (K::FormatSpec, _) => cx.fspec_depth = cx.fspec_depth.saturating_add(1),
            _ => {}
        }
        cx
    }

    /// The quoting of an f-string node (`None` for other strings).
    fn fstring_of(&self, s: Node<'_>) -> Option<FStr> {
        let start = s.child(0)?;
        let t = self.text(start);
        let q = t.iter().position(|b| matches!(b, b'\'' | b'"'))?;
        if !t[..q].iter().any(|b| matches!(b, b'f' | b'F')) {
            return None;
        }
        Some(FStr {
            quote: t[q],
            triple: t.len() >= q + 3,
        })
    }

    /// Whether a `try` statement has a handler that catches `ImportError`.
    fn catches_import_error(&mut self, try_stmt: Node<'t>) -> bool {
        let clauses: Vec<Node<'t>> = self
            .children(try_stmt)
            .into_iter()
            .filter(|c| self.kind(*c) == K::Except)
            .collect();
        clauses
            .into_iter()
            .any(|c| self.clause_catches_import_error(c))
    }

    /// The last parts of the exception names an `except` clause lists (`None` for a
    /// bare `except:`, which catches everything).
    fn clause_names(&self, c: Node<'t>) -> Option<Vec<&'t [u8]>> {
        let mut v = field(c, "value")?;
        if v.kind() == "as_pattern" {
            match v.named_child(0) {
                Some(e) => v = e,
                None => return Some(Vec::new()),
            }
        }
        let names: Vec<&'t [u8]> = if matches!(v.kind(), "tuple" | "parenthesized_expression") {
            let mut cur = v.walk();
            v.named_children(&mut cur).map(|x| self.text(x)).collect()
        } else {
            vec![self.text(v)]
        };
        Some(
            names
                .into_iter()
                .map(|t| t.rsplit(|&b| b == b'.').next().unwrap_or(t))
                .collect(),
        )
    }

    /// Whether the `except` clause `c` names only `ImportError`/`ModuleNotFoundError`.
    fn clause_catches_only_import_errors(&self, c: Node<'t>) -> bool {
        self.clause_names(c).is_some_and(|names| {
            !names.is_empty()
                && names
                    .iter()
                    .all(|n| matches!(*n, b"ImportError" | b"ModuleNotFoundError"))
        })
    }

    /// Whether the `except` clause `c` catches an `ImportError`.
    fn clause_catches_import_error(&self, c: Node<'t>) -> bool {
        // A bare `except:` catches everything.
        self.clause_names(c).is_none_or(|names| {
            names.iter().any(|n| {
                matches!(
                    *n,
                    b"ImportError" | b"ModuleNotFoundError" | b"Exception" | b"BaseException"
                )
            })
        })
    }

    /// Whether the body of `try_stmt` holds only imports, `pass`, strings and names
    /// bound to constants (`HAS_X = True`): nothing in it but a failing import can raise,
    /// so its handlers run only when one of its imports does not resolve.
    fn only_imports(&self, try_stmt: Node<'t>) -> bool {
        let Some(body) = field(try_stmt, "body") else {
            return false;
        };
        // Handlers that catch import errors and nothing broader: a name or attribute
        // read in the body (`FOUND = HTTPStatus.FOUND`) raises NameError or
        // AttributeError if anything, which they do not catch.
        let mut cur = try_stmt.walk();
        let narrow = try_stmt
            .named_children(&mut cur)
            .filter(|c| c.kind() == "except_clause")
            .filter(|c| self.clause_catches_import_error(*c))
            .all(|c| self.clause_catches_only_import_errors(c));
        let read = |n: Node<'t>| {
            narrow && matches!(n.kind(), "identifier" | "attribute") && attr_chain_only(n)
        };
        let constant = |n: Node<'t>| match n.kind() {
            "true" | "false" | "none" | "integer" | "float" => true,
            "string" => {
                let mut cur = n.walk();
                let plain = !n
                    .named_children(&mut cur)
                    .any(|c| c.kind() == "interpolation");
                plain
            }
            _ => false,
        };
        let mut cur = body.walk();
        let simple = body.named_children(&mut cur).all(|st| match st.kind() {
            "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "pass_statement"
            | "comment" => true,
            "expression_statement" => {
                st.named_child_count() == 1
                    && st.named_child(0).is_some_and(|e| match e.kind() {
                        "string" => constant(e),
                        "assignment" => {
                            field(e, "left").is_some_and(|l| l.kind() == "identifier")
                                && field(e, "type").is_none()
                                && field(e, "right").is_some_and(|r| constant(r) || read(r))
                        }
                        _ => false,
                    })
            }
            _ => false,
        });
        simple
    }

    /// The checks on one named node.
    #[allow(clippy::too_many_lines)]
    /// `K::WithItem` when the `as` pattern `n` (under `parent`) is a with item that
    /// tree-sitter wrapped: in parentheses (`with (a as b):`), in the tuple of a
    /// parenthesized item list with a trailing comma, or as the last operand of a
    /// conditional (`with a if c else b as x:`, CPython's `(a if c else b) as x`).
    fn with_item_around(&self, n: Node<'t>, parent: Node<'t>) -> K {
        let (mut child, mut up) = (n, parent);
        while up.kind() == "conditional_expression" && last_named(up) == Some(child) {
            let Some(next) = up.parent() else {
                return K::Other;
            };
            (child, up) = (up, next);
        }
        if matches!(up.kind(), "parenthesized_expression" | "tuple") {
            let Some(next) = up.parent() else {
                return K::Other;
            };
            (child, up) = (up, next);
        }
        let is_value = up.kind() == "with_item" && field(up, "value") == Some(child);
        if is_value {
            K::WithItem
        } else {
            self.kind(parent)
        }
    }

    /// Whether every token of the statement around `n` (a node between tokens) comes
    /// before it.
    fn statement_done_before(&self, n: Node<'t>) -> bool {
        let mut stmt = n;
        while let Some(p) = stmt.parent() {
            if matches!(p.kind(), "module" | "block") {
                break;
            }
            stmt = p;
        }
        stmt.id() == n.id() || stmt.end_byte() <= n.start_byte()
    }

    /// Whether `n` lies inside a bracketed expression (a call's arguments, a display, a
    /// parenthesized expression), where CPython's tokenizer joins lines by itself.
    fn inside_brackets(&self, n: Node<'t>) -> bool {
        let mut up = n.parent();
        while let Some(p) = up {
            if matches!(p.kind(), "module" | "block") {
                return false;
            }
            let opens = p
                .child(0)
                .is_some_and(|c| matches!(c.kind(), "(" | "[" | "{"));
            let inner = p.start_byte() < n.start_byte() && n.end_byte() < p.end_byte();
            if opens && inner {
                return true;
            }
            up = p.parent();
        }
        false
    }

    /// CPython's rules for `:=` (the node `n`) inside comprehensions: never in an
    /// iterable (`for x in (y := a)`), never rebinding an iteration variable of any
    /// comprehension it is in.
    fn walrus_in_comprehension(&self, n: Node<'t>) -> Option<&'static str> {
        let target = field(n, "name").map(|t| self.text(t))?;
        let (mut child, mut up) = (n, n.parent());
        while let Some(p) = up {
            match p.kind() {
                "for_in_clause" => {
                    let mut c = p.walk();
                    if p.children_by_field_name("right", &mut c)
                        .any(|r| r == child)
                    {
                        return Some("`:=` in a comprehension's iterable");
                    }
                }
                "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression" => {
                    let mut c = p.walk();
                    let clauses: Vec<Node<'t>> = p
                        .named_children(&mut c)
                        .filter(|x| x.kind() == "for_in_clause")
                        .collect();
                    for clause in clauses {
                        let mut stack: Vec<Node<'t>> = field(clause, "left").into_iter().collect();
                        while let Some(x) = stack.pop() {
                            if x.kind() == "identifier" && self.text(x) == target {
                                return Some("`:=` rebinding a comprehension's iteration variable");
                            }
                            stack.extend(x.named_children(&mut c));
                        }
                    }
                }
                "lambda" | "function_definition" | "class_definition" | "module" | "block" => break,
                _ => {}
            }
            (child, up) = (p, p.parent());
        }
        None
    }

    fn enter(&mut self, n: Node<'t>, k: K, parent: Option<(K, Node<'t>)>, cx: Cx) {
        let parent_k = parent.map_or(K::Other, |p| p.0);
        match k {
            K::Module => self.module(n),
            K::Block => self.block(n, parent),
            K::Python2 => self.flag(n, "Python 2 `print`/`exec` statement"),
            K::Return => {
                if !matches!(cx.scope, Scope::Def { .. }) {
                    self.flag(n, "`return` outside function");
                } else if cx.in_except_star {
                    self.flag(n, "`return` in an `except*` block");
                } else if cx.in_finally && self.py.at_least(3, 14) {
                    self.flag(n, "`return` in `finally` (SyntaxWarning)");
                }
            }
            K::Break | K::Continue => {
                if !cx.in_loop {
                    self.flag(n, "`break`/`continue` outside loop");
                } else if cx.in_except_star {
                    self.flag(n, "`break`/`continue` in an `except*` block");
                } else if cx.in_finally && self.py.at_least(3, 14) {
                    self.flag(n, "`break`/`continue` in `finally` (SyntaxWarning)");
                }
            }
            K::Yield => {
                if !matches!(cx.scope, Scope::Def { .. } | Scope::Lambda) {
                    self.flag(n, "`yield` outside function");
                } else if cx.in_comprehension {
                    self.flag(n, "`yield` inside a comprehension");
                } else if !matches!(
                    parent_k,
                    K::ExpressionStatement
                        | K::Assignment
                        | K::AugAssignment
                        | K::Parenthesized
                        | K::Interpolation
                ) {
                    self.flag(n, "unparenthesized `yield`");
                } else if matches!(cx.scope, Scope::Def { is_async: true })
                    && self.has_token(n, "from")
                {
                    self.flag(n, "`yield from` in an async function");
                }
            }
            K::Await => {
                if !matches!(cx.scope, Scope::Def { is_async: true }) {
                    self.flag(n, "`await` outside an async function");
                }
            }
            K::For | K::With => {
                if n.child(0).is_some_and(|c| c.kind() == "async")
                    && !matches!(cx.scope, Scope::Def { is_async: true })
                {
                    self.flag(n, "`async for`/`async with` outside an async function");
                }
                if k == K::For {
                    self.target(field(n, "left"));
                }
                self.compound(n, parent_k, cx);
            }
            K::ForIn => {
                // An async generator expression is allowed in any function.
                let genexp = parent.is_some_and(|(_, p)| p.kind() == "generator_expression");
                if n.child(0).is_some_and(|c| c.kind() == "async")
                    && !matches!(cx.scope, Scope::Def { is_async: true })
                    && !genexp
                {
                    self.flag(n, "asynchronous comprehension outside an async function");
                }
                let mut cur = n.walk();
                if n.children_by_field_name("right", &mut cur).count() > 1 {
                    self.flag(n, "unparenthesized tuple in a comprehension");
                }
                self.target(field(n, "left"));
            }
            K::While | K::If => self.compound(n, parent_k, cx),
            K::Try => {
                self.try_statement(n);
                self.compound(n, parent_k, cx);
            }
            K::Match => {
                if !self.py.at_least(3, 10) {
                    self.flag(n, "`match` statement needs Python 3.10");
                } else if let Err(why) = patterns::check_match(n, self.src) {
                    self.flag(n, why);
                }
            }
            // Patterns reuse the names of assignment targets' nodes; their rules are
            // `check_match`'s.
            K::AsPattern | K::TuplePattern | K::ListPattern | K::ListSplatPattern
                if cx.in_pattern => {}
            K::Except => {
                self.except_clause(n);
                self.clause(n, parent);
            }
            K::Else | K::Elif | K::Finally => self.clause(n, parent),
            K::FunctionDef => {
                if field(n, "type_parameters").is_some() && !self.py.at_least(3, 12) {
                    self.flag(n, "type parameters need Python 3.12");
                }
                if let Some(p) = field(n, "parameters") {
                    self.parameters(p, false);
                }
                if n.child(0).is_some_and(|c| c.kind() == "async") {
                    self.async_generator_return(n);
                }
                self.compound(n, parent_k, cx);
            }
            K::ClassDef => {
                if field(n, "type_parameters").is_some() && !self.py.at_least(3, 12) {
                    self.flag(n, "type parameters need Python 3.12");
                }
                self.compound(n, parent_k, cx);
            }
            K::Decorated => self.decorated(n),
            K::Lambda => {
                if let Some(p) = field(n, "parameters") {
                    self.parameters(p, true);
                }
            }
            K::TypeAlias => {
                // tree-sitter reads `type(x).y = z` as a type alias; it is an assignment.
                let call = field(n, "left").is_some_and(|l| self.text(l).first() == Some(&b'('));
                if !call && !self.py.at_least(3, 12) {
                    self.flag(n, "`type` statement needs Python 3.12");
                }
            }
            K::SplatType | K::ConstrainedType => {
                // `*args: *Ts` (PEP 646) is 3.11; everything else is a 3.12 type parameter.
                let star_args = k == K::SplatType
                    && self.py.at_least(3, 11)
                    && parent.is_some_and(|(_, p)| {
                        p.parent().is_some_and(|tp| {
                            tp.kind() == "typed_parameter"
                                && tp
                                    .named_child(0)
                                    .is_some_and(|c| c.kind() == "list_splat_pattern")
                        })
                    });
                // `Tuple[int, *Ts]` in an annotation (PEP 646's star in a subscript).
                let star_subscript = k == K::SplatType
                    && self.py.at_least(3, 11)
                    && parent.is_some_and(|(_, p)| {
                        p.parent().is_some_and(|tp| {
                            tp.kind() == "type_parameter"
                                && tp.parent().is_some_and(|g| g.kind() == "generic_type")
                        })
                    });
                let type_param = cx.in_type_params && self.py.at_least(3, 12);
                if !(star_args || star_subscript || type_param) {
                    self.flag(n, "starred or constrained annotation");
                }
            }
            K::Global | K::Nonlocal => self.global_nonlocal(n, k, cx),
            K::FutureImport => {
                if cx.scope != Scope::Module || cx.in_function {
                    self.flag(n, "`from __future__` import not at module level");
                }
                self.future_names(n);
                self.trailing_comma(n);
            }
            K::Import | K::ImportFrom => self.import(n, k, cx),
            K::ArgumentList => self.arguments(n),
            K::Call => {
                if let Some(f) = field(n, "function") {
                    if self.is_display_or_constant(f) {
                        self.flag(n, "calling a literal (SyntaxWarning)");
                    }
                }
            }
            K::Subscript => self.subscript(n),
            K::ListSplat => {
                let ok = match parent {
                    Some((
                        K::List
                        | K::Set
                        | K::ExpressionList
                        | K::ArgumentList
                        | K::Tuple
                        // `*self.rest, last = v`, which tree-sitter reads as `(*self).rest`.
                        | K::PatternList
                        | K::TuplePattern
                        | K::ListPattern,
                        _,
                    )) => {
                        true // a lone `(*a)` is checked on the tuple
                    }
                    Some((K::Subscript, _)) => self.py.at_least(3, 11),
                    // `match *a, b:` (a tuple subject; `match *a:` is refused).
                    Some((K::ExpressionStatement | K::Match, p)) => self.has_token(p, ","),
                    // `Result[*tuple[int, ...]]` in an annotation (PEP 646), which
                    // tree-sitter reads as `(*tuple)[int, ...]`.
                    Some((_, p)) if p.kind() == "type" => {
                        self.py.at_least(3, 11)
                            && p.parent().is_some_and(|tp| {
                                tp.kind() == "type_parameter"
                                    && tp.parent().is_some_and(|g| g.kind() == "generic_type")
                            })
                    }
                    _ => false,
                };
                if !ok {
                    self.flag(n, "starred expression where CPython forbids it");
                }
            }
            K::ListSplatPattern => {
                if !matches!(
                    parent_k,
                    K::PatternList
                        | K::TuplePattern
                        | K::ListPattern
                        | K::Parameters
                        | K::LambdaParameters
                        | K::TypedParameter
                ) {
                    self.flag(n, "starred assignment target outside a list or tuple");
                }
            }
            K::DictSplat => {
                if !matches!(parent_k, K::Dictionary | K::ArgumentList) {
                    self.flag(n, "`**` where CPython forbids it");
                }
            }
            K::Parenthesized => {
                let mut star = false;
                self.scan(n, |_, ck| star |= ck == K::ListSplat);
                if star {
                    self.flag(n, "parenthesized starred expression");
                }
            }
            K::Tuple | K::TuplePattern => {
                let (mut count, mut star) = (0usize, false);
                self.scan(n, |_, ck| {
                    count += 1;
                    star |= matches!(ck, K::ListSplat | K::ListSplatPattern);
                });
                if count == 1 && star && !self.has_token(n, ",") {
                    self.flag(n, "parenthesized starred expression");
                }
                if k == K::TuplePattern {
                    self.one_star(n);
                }
            }
            K::PatternList | K::ListPattern => self.one_star(n),
            K::NamedExpr => {
                // tree-sitter binds `(x := a if c else b)` as `((x := a) if c else b)`;
                // CPython's `:=` takes the whole conditional, whose place is what counts.
                let parent_k = match parent {
                    Some((_, p))
                        if p.kind() == "conditional_expression" && first_named(p) == Some(n) =>
                    {
                        let mut top = p;
                        while let Some(up) = top.parent().filter(|u| {
                            u.kind() == "conditional_expression" && first_named(*u) == Some(top)
                        }) {
                            top = up;
                        }
                        top.parent().map_or(K::Other, |u| self.kind(u))
                    }
                    _ => parent_k,
                };
                // `match x := f():`, `match x := 3, 4:` (a subject's items are
                // CPython's `star_named_expression`s).
                let ok = parent_k == K::Match
                    || matches!(
                        parent_k,
                        K::Parenthesized
                            | K::ArgumentList
                            | K::If
                            | K::Elif
                            | K::While
                            | K::List
                            | K::Set
                            | K::Tuple
                            | K::Decorator
                            | K::Subscript
                    );
                if !ok {
                    self.flag(n, "unparenthesized `:=`");
                } else if cx.in_comprehension {
                    if cx.scope == Scope::Class {
                        self.flag(n, "`:=` in a comprehension in a class body");
                    } else if let Some(why) = self.walrus_in_comprehension(n) {
                        self.flag(n, why);
                    }
                }
            }
            K::AsPattern => {
                let inner = field(n, "alias").and_then(|t| t.named_child(0));
                let parent_k = match parent {
                    Some((_, p)) if parent_k != K::WithItem && parent_k != K::Except => {
                        self.with_item_around(n, p)
                    }
                    _ => parent_k,
                };
                match parent_k {
                    K::WithItem => {
                        if !inner.is_some_and(|t| is_target(t, false)) {
                            self.flag(n, "invalid `with ... as` target");
                        }
                    }
                    K::Except => {
                        if inner.is_none_or(|t| t.kind() != "identifier") {
                            self.flag(n, "invalid `except ... as` target");
                        }
                    }
                    _ => self.flag(n, "`as` outside `with`/`except`"),
                }
            }
            K::Assignment => self.assignment(n),
            K::AugAssignment => {
                let left_ok = field(n, "left")
                    .is_some_and(|l| matches!(l.kind(), "identifier" | "attribute" | "subscript"));
                let right_bad = field(n, "right")
                    .is_some_and(|r| matches!(self.kind(r), K::Assignment | K::AugAssignment));
                if !left_ok || right_bad || parent_k == K::Assignment {
                    self.flag(n, "invalid augmented assignment");
                }
            }
            K::Delete => {
                let mut ok = true;
                self.scan(n, |c, _| ok &= is_target(c, true));
                if !ok {
                    self.flag(n, "invalid `del` target");
                }
            }
            K::Assert => {
                let (mut count, mut tuple) = (0usize, false);
                self.scan(n, |c, _| {
                    if count == 0 {
                        tuple = unparen(c).kind() == "tuple";
                    }
                    count += 1;
                });
                if count > 2 {
                    self.flag(n, "`assert` with more than two expressions");
                } else if tuple {
                    self.flag(n, "assertion on a tuple is always true (warning)");
                }
            }
            K::Raise => {
                let cause = field(n, "cause").map(|c| c.id());
                let (mut first_is_cause, mut list, mut seen) = (false, false, false);
                self.scan(n, |c, _| {
                    if !seen {
                        first_is_cause = Some(c.id()) == cause;
                        seen = true;
                    }
                    list |= c.kind() == "expression_list";
                });
                if first_is_cause || list {
                    self.flag(n, "Python 2 `raise`");
                }
            }
            K::Comparison => self.comparison(n),
            K::Str => self.string(n, cx),
            K::ConcatStr => {
                let (mut bytes, mut text) = (false, false);
                let src = self.src;
                self.scan(n, |s, _| {
                    let is_bytes = s
                        .child(0)
                        .and_then(|st| src.get(st.byte_range()))
                        .is_some_and(|t| t.iter().any(|b| matches!(b, b'b' | b'B')));
                    bytes |= is_bytes;
                    text |= !is_bytes;
                });
                if bytes && text {
                    self.flag(n, "bytes and str literals concatenated");
                }
            }
            K::StringContent => {
                if let Some((_, s)) = parent {
                    self.string_content(n, s);
                }
            }
            K::Interpolation => self.interpolation(n, cx),
            K::FormatSpec => {
                if self.text(n).contains(&b'\\') {
                    self.flag(n, "backslash in an f-string format spec");
                }
            }
            K::TypeConversion => {
                if !matches!(self.text(n), b"!s" | b"!r" | b"!a") {
                    self.flag(n, "invalid f-string conversion");
                }
            }
            K::Integer | K::Float => self.number(n, k),
            K::Identifier => self.identifier(n, parent),
            K::Attribute => self.mark_use(n),
            K::LineContinuation => {
                // `x = 1 + \` followed by a blank line: CPython ends the statement there
                // (outside brackets); tree-sitter skips the blank line.
                let rest = self.src.get(n.end_byte()..).unwrap_or(&[]);
                let blank = rest
                    .iter()
                    .find(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
                    .is_none_or(|b| matches!(b, b'\n' | b'\r'));
                // Harmless when the statement is complete before it (`x = "a" \`: the
                // blank line ends it), or inside brackets, where CPython ignores newlines.
                if blank && !self.statement_done_before(n) && !self.inside_brackets(n) {
                    self.flag(n, "backslash continuation followed by a blank line");
                }
            }
            // A bare `x := 1` is flagged on the `:=` node (its parent is not allowed).
            K::ExpressionStatement
            | K::CaseClause
            | K::CasePattern
            | K::WithItem
            | K::Comprehension
            | K::ExpressionList
            | K::Other
            | K::Comment
            | K::Parameters
            | K::LambdaParameters
            | K::TypedParameter
            | K::List
            | K::Set
            | K::Dictionary
            | K::ConditionalExpr
            | K::Decorator
            | K::IfClause
            | K::Keyword
            | K::TypeParams
            | K::Open
            | K::Close
            | K::StringStart
            | K::StringEnd => {}
        }
        if matches!(k, K::For | K::While | K::Try | K::With) && cx.blocks >= 18 {
            // CPython allows 20 nested blocks per code object ("too many statically
            // nested blocks"); `except`/`finally` handlers count too.
            self.flag(n, "too many nested blocks");
        }
    }

    /// Line structure at each leaf: a token on a new line outside brackets and strings
    /// must start a statement, clause or decorator.
    fn leaf(&mut self, n: Node<'t>, k: K) {
        let row = n.start_position().row;
        let l = &self.lines;
        if row > l.prev_row
            && l.in_string == 0
            && l.depth == 0
            && !l.continued
            && k != K::Comment
            && n.start_byte() != l.start
        {
            // The scanner often skips a backslash continuation as whitespace (no node).
            let gap = self.src.get(l.prev_end..n.start_byte()).unwrap_or(&[]);
            let joined = gap
                .windows(2)
                .any(|w| w[0] == b'\\' && matches!(w[1], b'\n' | b'\r'));
            if !joined {
                return self.flag(n, "statement continues on the next line outside brackets");
            }
        }
        let l = &mut self.lines;
        match k {
            K::Open => l.depth += 1,
            K::Close => l.depth -= 1,
            K::StringStart => l.in_string += 1,
            K::StringEnd => l.in_string -= 1,
            _ => {}
        }
        l.continued = k == K::LineContinuation;
        l.prev_row = n.end_position().row;
        l.prev_end = n.end_byte();
    }

    /// Call `f` on each named child (not comments or line continuations) with its kind.
    fn scan(&mut self, n: Node<'t>, mut f: impl FnMut(Node<'t>, K)) {
        let table = self.table;
        self.scratch.reset(n);
        if self.scratch.goto_first_child() {
            loop {
                let c = self.scratch.node();
                if c.is_named() {
                    let ck = table
                        .get(usize::from(c.kind_id()))
                        .copied()
                        .unwrap_or(K::Other);
                    if !matches!(ck, K::Comment | K::LineContinuation) {
                        f(c, ck);
                    }
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
    }

    // ---- statements and indentation -------------------------------------------------

    /// Where the line holding byte `at` starts, as CPython's tokenizer measures it.
    fn indent(&self, at: usize) -> Ind {
        let s = self.src;
        let mut i = at.min(s.len());
        while i > 0 && matches!(s[i - 1], b' ' | b'\t' | b'\x0c') {
            i -= 1;
        }
        if i > 0 && !matches!(s[i - 1], b'\n' | b'\r') {
            return Ind::Inline;
        }
        if i > 0 {
            // The line before ends in a backslash: CPython joins the two lines.
            let mut j = i - 1;
            if s[j] == b'\n' && j > 0 && s[j - 1] == b'\r' {
                j -= 1;
            }
            if j > 0 && s[j - 1] == b'\\' {
                // Unless the backslash ends a comment.
                let in_comment = self
                    .root
                    .descendant_for_byte_range(j - 1, j)
                    .is_some_and(|d| d.kind() == "comment");
                if !in_comment {
                    return Ind::Joined;
                }
            }
        }
        let (mut col, mut alt) = (0u32, 0u32);
        for &b in &s[i..at.min(s.len())] {
            match b {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                _ => {
                    // Form feed resets the column (tokenizer.c, "for Emacs users").
                    col = 0;
                    alt = 0;
                }
            }
        }
        Ind::Line(col, alt)
    }

    fn module(&mut self, n: Node<'t>) {
        let stmts = self.children(n);
        self.module_stmts(&stmts);
        self.pool = stmts;
    }

    fn module_stmts(&mut self, stmts: &[Node<'t>]) {
        let mut future_ok = true;
        for (i, s) in stmts.iter().enumerate() {
            match self.indent(s.start_byte()) {
                Ind::Line(0, 0) | Ind::Inline => {}
                Ind::Line(..) => return self.flag(*s, "unexpected indent"),
                Ind::Joined => return self.flag(*s, "statement after a backslash continuation"),
            }
            if self.kind(*s) == K::FutureImport {
                if !future_ok {
                    return self.flag(*s, "`from __future__` import after other statements");
                }
            } else if !(i == 0 && is_docstring(*s)) {
                future_ok = false;
            }
        }
    }

    /// A compound statement must start its own line.
    fn compound(&mut self, n: Node<'t>, parent_k: K, _cx: Cx) {
        // A def/class inside a decorated definition is checked by `decorated`.
        if parent_k == K::Decorated {
            return;
        }
        if let Ind::Inline | Ind::Joined = self.indent(n.start_byte()) {
            self.flag(n, "compound statement not at the start of a line");
        }
    }

    /// Decorators and the definition line up.
    fn decorated(&mut self, n: Node<'t>) {
        let head = self.indent(n.start_byte());
        if !matches!(head, Ind::Line(..)) {
            return self.flag(n, "decorator not at the start of a line");
        }
        for c in self.children(n) {
            if self.indent(c.start_byte()) != head {
                return self.flag(c, "decorated definition indented inconsistently");
            }
        }
    }

    /// `else`/`elif`/`except`/`finally` start a line at their statement's indentation.
    fn clause(&mut self, n: Node<'t>, parent: Option<(K, Node<'t>)>) {
        let Some((_, owner)) = parent else { return };
        let own = self.indent(n.start_byte());
        if !matches!(own, Ind::Line(..)) || own != self.indent(owner.start_byte()) {
            self.flag(n, "clause indented inconsistently with its statement");
        }
    }

    /// A suite: not empty, and indented as CPython's tokenizer requires (deeper than its
    /// header, the same for every statement, tabs consistent at tab sizes 8 and 1).
    fn block(&mut self, n: Node<'t>, parent: Option<(K, Node<'t>)>) {
        let Some((parent_k, header_node)) = parent else {
            return;
        };
        if parent_k == K::Match {
            return;
        }
        let stmts = self.children(n);
        self.block_stmts(n, header_node, &stmts);
        self.pool = stmts;
    }

    fn block_stmts(&mut self, n: Node<'t>, header_node: Node<'t>, stmts: &[Node<'t>]) {
        let Some(first) = stmts.first() else {
            return self.flag(n, "expected an indented block");
        };
        // The header is the line of the statement or clause owning the block.
        let Ind::Line(hc, ha) = self.indent(header_node.start_byte()) else {
            return self.flag(n, "block header not at the start of a line");
        };
        let body = self.indent(first.start_byte());
        match body {
            Ind::Inline => {
                if stmts
                    .iter()
                    .any(|s| self.indent(s.start_byte()) != Ind::Inline)
                {
                    self.flag(n, "unexpected indent after a one-line block");
                }
            }
            Ind::Joined => self.flag(n, "statement after a backslash continuation"),
            Ind::Line(c, a) => {
                if c <= hc {
                    return self.flag(*first, "expected an indented block");
                }
                if a <= ha {
                    return self.flag(*first, "inconsistent use of tabs and spaces");
                }
                for s in &stmts[1..] {
                    match self.indent(s.start_byte()) {
                        Ind::Inline => {}
                        i if i == body => {}
                        _ => return self.flag(*s, "inconsistent indentation"),
                    }
                }
            }
        }
    }

    fn try_statement(&mut self, n: Node<'t>) {
        let kids = self.children(n);
        let mut excepts = 0usize;
        let mut stars = 0usize;
        let mut bare_seen = false;
        let mut has_finally = false;
        let mut has_else = false;
        for c in &kids {
            match self.kind(*c) {
                K::Except => {
                    if bare_seen {
                        return self.flag(*c, "default `except:` must be last");
                    }
                    excepts += 1;
                    if self.has_token(*c, "*") || self.has_token(*c, "except*") {
                        stars += 1;
                    }
                    if field(*c, "value").is_none() {
                        bare_seen = true;
                    }
                }
                K::Finally => has_finally = true,
                K::Else => has_else = true,
                _ => {}
            }
        }
        if excepts == 0 && (!has_finally || has_else) {
            self.flag(n, "`try` without `except` or `finally`");
        } else if stars > 0 && stars != excepts {
            self.flag(n, "`except` and `except*` mixed");
        } else if stars > 0 && !self.py.at_least(3, 11) {
            self.flag(n, "`except*` needs Python 3.11");
        }
        let _ = kids;
    }

    fn except_clause(&mut self, n: Node<'t>) {
        let mut cur = n.walk();
        if n.children_by_field_name("value", &mut cur).count() > 1 {
            return self.flag(n, "unparenthesized exception list");
        }
        if (self.has_token(n, "*") || self.has_token(n, "except*")) && field(n, "value").is_none() {
            self.flag(n, "`except*` without an exception type");
        }
    }

    /// `return value` in an async generator.
    fn async_generator_return(&mut self, def: Node<'t>) {
        let Some(body) = field(def, "body") else {
            return;
        };
        // Most async tests never yield: skip the subtree walk.
        if find(self.text(body), b"yield").is_none() {
            return;
        }
        let mut has_yield = false;
        let mut value_return: Option<Node<'t>> = None;
        let mut stack = vec![body];
        while let Some(x) = stack.pop() {
            match x.kind() {
                "function_definition" | "lambda" | "class_definition" => continue,
                "yield" => has_yield = true,
                "return_statement" if x.named_child_count() > 0 => value_return = Some(x),
                _ => {}
            }
            let mut c = x.walk();
            stack.extend(x.named_children(&mut c));
        }
        if let (true, Some(r)) = (has_yield, value_return) {
            self.flag(r, "`return` with a value in an async generator");
        }
    }

    fn global_nonlocal(&mut self, n: Node<'t>, k: K, cx: Cx) {
        let names: Vec<Node<'t>> = self.children(n);
        if k == K::Nonlocal && cx.scope == Scope::Module {
            return self.flag(n, "`nonlocal` at module level");
        }
        // The enclosing scopes, innermost first: the node owning the statement's scope.
        let mut scopes: Vec<Node<'t>> = Vec::new();
        let mut p = n.parent();
        while let Some(x) = p {
            if matches!(
                x.kind(),
                "function_definition" | "class_definition" | "module"
            ) {
                scopes.push(x);
            }
            p = x.parent();
        }
        let Some(own) = scopes.first().copied() else {
            return;
        };
        for name_node in names {
            let name = self.text(name_node);
            if used_before(self.src, own, name, n.start_byte()) {
                return self.flag(n, "name used before its global/nonlocal declaration");
            }
            if is_parameter(self.src, own, name) {
                return self.flag(n, "parameter declared global/nonlocal");
            }
            if annotates(self.src, own, name) {
                return self.flag(n, "annotated name declared global/nonlocal");
            }
            if k == K::Nonlocal {
                let bound = scopes
                    .iter()
                    .skip(1)
                    .filter(|s| s.kind() == "function_definition")
                    .any(|s| binds(self.src, *s, name));
                if !bound {
                    return self.flag(n, "no binding for `nonlocal` name");
                }
            }
        }
    }

    fn future_names(&mut self, n: Node<'t>) {
        for c in self.children(n) {
            let name_node = if c.kind() == "aliased_import" {
                field(c, "name")
            } else {
                Some(c)
            };
            let ok = name_node.is_some_and(|x| {
                matches!(
                    self.text(x),
                    b"nested_scopes"
                        | b"generators"
                        | b"division"
                        | b"absolute_import"
                        | b"with_statement"
                        | b"print_function"
                        | b"unicode_literals"
                        | b"generator_stop"
                        | b"annotations"
                )
            });
            if !ok {
                return self.flag(n, "unknown or behaviour-changing `__future__` feature");
            }
        }
    }

    /// `import a,` / `from a import b,`: a trailing comma needs parentheses.
    fn trailing_comma(&mut self, n: Node<'t>) {
        let mut last: Option<Node<'t>> = None;
        let mut paren = false;
        self.scratch.reset(n);
        if self.scratch.goto_first_child() {
            loop {
                let c = self.scratch.node();
                if c.kind() == "(" {
                    paren = true;
                }
                if !matches!(c.kind(), "comment" | "line_continuation") {
                    last = Some(c);
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
        if !paren && last.is_some_and(|c| c.kind() == ",") {
            self.flag(n, "trailing comma in an import without parentheses");
        }
    }

    /// `a . b` or `a.\\\n b` are valid spellings: join the identifiers.
    fn dotted(&self, d: Node<'t>) -> String {
        let mut out = String::new();
        let mut c = d.walk();
        for part in d
            .named_children(&mut c)
            .filter(|x| x.kind() == "identifier")
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&lossy(self.text(part)));
        }
        out
    }

    fn import(&mut self, n: Node<'t>, k: K, cx: Cx) {
        self.trailing_comma(n);
        let line = u32::try_from(n.start_position().row + 1).unwrap_or(u32::MAX);
        // Only what runs at import time can fail the import of the module; an import in
        // a tracked `try` body only decides whether its handler's imports run.
        let role = if cx.import_guarded {
            TryRole::Attempt(cx.attempt)
        } else if cx.fallback != 0 {
            TryRole::Fallback(cx.fallback)
        } else {
            TryRole::Always
        };
        let record = !cx.in_function && (!cx.import_guarded || cx.attempt != 0);
        let mut names: Vec<String> = Vec::new();
        let mut star = false;
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            if c.kind() == "wildcard_import" {
                star = true;
            }
        }
        let mut cur = n.walk();
        for c in n.children_by_field_name("name", &mut cur) {
            let d = if c.kind() == "aliased_import" {
                field(c, "name")
            } else {
                Some(c)
            };
            if let Some(d) = d {
                names.push(self.dotted(d));
            }
        }
        if k == K::Import {
            if record {
                for module in names {
                    self.facts.imports.push(ImportRef {
                        level: 0,
                        module,
                        names: Vec::new(),
                        line,
                        role,
                    });
                }
            }
            return;
        }
        let Some(m) = field(n, "module_name") else {
            return;
        };
        let (level, module) = if m.kind() == "relative_import" {
            let mut level = 0u32;
            let mut module = String::new();
            let mut cur = m.walk();
            for c in m.named_children(&mut cur) {
                if c.kind() == "import_prefix" {
                    let dots = self.text(c).iter().filter(|&&b| b == b'.').count();
                    level = u32::try_from(dots).unwrap_or(u32::MAX);
                } else if c.kind() == "dotted_name" {
                    module = self.dotted(c);
                }
            }
            (level, module)
        } else {
            (0, self.dotted(m))
        };
        if star && (cx.scope != Scope::Module || cx.in_function) {
            return self.flag(n, "`import *` outside module level");
        }
        if record {
            self.facts.imports.push(ImportRef {
                level,
                module,
                names,
                line,
                role,
            });
        }
    }

    // ---- expressions -------------------------------------------------------------------

    fn parameters(&mut self, p: Node<'t>, is_lambda: bool) {
        let kids = self.children(p);
        self.parameter_list(p, &kids, is_lambda);
        self.pool = kids;
    }

    fn parameter_list(&mut self, p: Node<'t>, kids: &[Node<'t>], is_lambda: bool) {
        let mut seen_default = false;
        let mut seen_star = false;
        let mut bare_star_pending = false;
        let mut seen_kwargs = false;
        let mut seen_slash = false;
        let mut names: Vec<&'t [u8]> = Vec::new();
        for (i, c) in kids.iter().enumerate() {
            if seen_kwargs {
                return self.flag(*c, "parameter after `**kwargs`");
            }
            let (kind, name) = match c.kind() {
                "typed_parameter" => {
                    if is_lambda {
                        return self.flag(*c, "annotation in a lambda");
                    }
                    let inner = c.named_child(0);
                    match inner.map(|x| x.kind()) {
                        Some("identifier") => ("plain", inner),
                        Some("list_splat_pattern") => {
                            ("star", inner.and_then(|x| x.named_child(0)))
                        }
                        Some("dictionary_splat_pattern") => {
                            ("kwargs", inner.and_then(|x| x.named_child(0)))
                        }
                        _ => return self.flag(*c, "invalid parameter"),
                    }
                }
                "identifier" => ("plain", Some(*c)),
                "default_parameter" => ("default", field(*c, "name")),
                "typed_default_parameter" => {
                    if is_lambda {
                        return self.flag(*c, "annotation in a lambda");
                    }
                    ("default", field(*c, "name"))
                }
                "list_splat_pattern" => ("star", c.named_child(0)),
                "dictionary_splat_pattern" => ("kwargs", c.named_child(0)),
                "keyword_separator" => ("bare_star", None),
                "positional_separator" => ("slash", None),
                _ => return self.flag(*c, "invalid parameter"),
            };
            if let Some(nm) = name {
                if nm.kind() != "identifier" {
                    return self.flag(*c, "invalid parameter name");
                }
                let t = self.text(nm);
                if names.contains(&t) {
                    return self.flag(*c, "duplicate argument");
                }
                names.push(t);
            }
            match kind {
                "plain" => {
                    if seen_default && !seen_star {
                        return self.flag(*c, "non-default argument follows default argument");
                    }
                    bare_star_pending = false;
                }
                "default" => {
                    if !seen_star {
                        seen_default = true;
                    }
                    bare_star_pending = false;
                }
                "star" | "bare_star" => {
                    if seen_star {
                        return self.flag(*c, "`*` may appear only once");
                    }
                    seen_star = true;
                    bare_star_pending = kind == "bare_star";
                }
                "kwargs" => {
                    if bare_star_pending {
                        return self.flag(*c, "named arguments must follow bare `*`");
                    }
                    seen_kwargs = true;
                }
                _ => {
                    // `/`
                    if seen_slash || seen_star || i == 0 {
                        return self.flag(*c, "misplaced `/`");
                    }
                    seen_slash = true;
                }
            }
        }
        if bare_star_pending {
            self.flag(p, "named arguments must follow bare `*`");
        }
    }

    fn arguments(&mut self, n: Node<'t>) {
        let src = self.src;
        let (mut seen_kw, mut seen_kwsplat) = (false, false);
        let mut kw_names: Vec<&'t [u8]> = Vec::new();
        let mut problem: Option<(Node<'t>, &'static str)> = None;
        self.scan(n, |c, ck| {
            if problem.is_some() {
                return;
            }
            match ck {
                K::Keyword => {
                    if let Some(t) = field(c, "name").and_then(|x| src.get(x.byte_range())) {
                        if kw_names.contains(&t) {
                            problem = Some((c, "keyword argument repeated"));
                        }
                        kw_names.push(t);
                    }
                    seen_kw = true;
                }
                K::DictSplat => seen_kwsplat = true,
                K::ListSplat => {
                    if seen_kwsplat {
                        problem = Some((c, "`*` argument after `**` argument"));
                    }
                }
                _ => {
                    if seen_kw || seen_kwsplat {
                        problem = Some((c, "positional argument follows keyword argument"));
                    }
                }
            }
        });
        if let Some((c, what)) = problem {
            self.flag(c, what);
        }
    }

    /// At most one starred name per target list.
    fn one_star(&mut self, n: Node<'t>) {
        let mut stars = 0usize;
        self.scan(n, |_, ck| stars += usize::from(ck == K::ListSplatPattern));
        if stars > 1 {
            self.flag(n, "multiple starred expressions in assignment");
        }
    }

    /// A loop target on its own cannot be starred (`for *a in b`).
    fn target(&mut self, t: Option<Node<'t>>) {
        if let Some(t) = t {
            if self.kind(t) == K::ListSplatPattern {
                self.flag(t, "starred assignment target outside a list or tuple");
            }
        }
    }

    fn assignment(&mut self, n: Node<'t>) {
        let left = field(n, "left");
        let right = field(n, "right");
        if left.is_some_and(|l| self.kind(l) == K::ListSplatPattern) {
            return self.flag(n, "starred assignment target outside a list or tuple");
        }
        if field(n, "type").is_some() {
            if n.parent()
                .is_some_and(|p| matches!(p.kind(), "assignment" | "augmented_assignment"))
            {
                return self.flag(n, "annotation inside a chained assignment");
            }
            let one = |l: Node<'t>| matches!(l.kind(), "identifier" | "attribute" | "subscript");
            // `(x): int = 1` annotates `x` (tree-sitter reads the parentheses as a tuple
            // pattern; `(x,)` is a tuple).
            let single = left.is_some_and(|l| {
                one(l)
                    || (matches!(l.kind(), "tuple_pattern" | "parenthesized_expression")
                        && l.named_child_count() == 1
                        && l.named_child(0).is_some_and(one)
                        && !self.has_token(l, ","))
            });
            if !single {
                return self.flag(n, "annotation on a target that is not a single name");
            }
            if right.is_some_and(|r| matches!(self.kind(r), K::Assignment | K::AugAssignment)) {
                return self.flag(n, "chained annotated assignment");
            }
        }
        if right.is_some_and(|r| self.kind(r) == K::AugAssignment) {
            self.flag(n, "augmented assignment inside an assignment");
        }
        if let Some(r) = right {
            if self.kind(r) == K::ListSplat {
                self.flag(n, "starred expression where CPython forbids it");
            }
        }
    }

    fn comparison(&mut self, n: Node<'t>) {
        // The operators are the anonymous children.
        let (mut diamond, mut is) = (false, false);
        self.scratch.reset(n);
        if self.scratch.goto_first_child() {
            loop {
                let c = self.scratch.node();
                if !c.is_named() {
                    match c.kind() {
                        "<>" => diamond = true,
                        "is" | "is not" => is = true,
                        _ => {}
                    }
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
        if diamond {
            return self.flag(n, "`<>` operator");
        }
        if is {
            let kids = self.children(n);
            for &c in &kids {
                let c = unparen(c);
                let singleton = matches!(c.kind(), "none" | "true" | "false" | "ellipsis");
                if !singleton && self.is_constant(c) {
                    self.flag(n, "`is` with a literal (SyntaxWarning)");
                    break;
                }
            }
            self.pool = kids;
        }
    }

    /// An expression CPython folds to a constant before compiling.
    fn is_constant(&self, n: Node<'_>) -> bool {
        let n = unparen(n);
        match n.kind() {
            "string" | "concatenated_string" => {
                // An f-string with replacement fields is not a constant.
                let mut c = n.walk();
                let mut stack = vec![n];
                while let Some(x) = stack.pop() {
                    if x.kind() == "interpolation" {
                        return false;
                    }
                    stack.extend(x.named_children(&mut c).collect::<Vec<_>>());
                }
                true
            }
            "integer" | "float" | "true" | "false" | "none" | "ellipsis" => true,
            "unary_operator" => field(n, "argument").is_some_and(|a| self.is_constant(a)),
            "binary_operator" => {
                field(n, "left").is_some_and(|a| self.is_constant(a))
                    && field(n, "right").is_some_and(|a| self.is_constant(a))
            }
            "tuple" => {
                let mut c = n.walk();
                let all = n
                    .named_children(&mut c)
                    .filter(|x| x.kind() != "comment")
                    .all(|x| self.is_constant(x));
                all
            }
            _ => false,
        }
    }

    /// The callee of `check_caller`: a constant or any display (CPython warns on calling it).
    fn is_display_or_constant(&self, n: Node<'_>) -> bool {
        let u = unparen(n);
        self.is_constant(u)
            || matches!(
                u.kind(),
                "tuple"
                    | "list"
                    | "list_comprehension"
                    | "dictionary"
                    | "dictionary_comprehension"
                    | "set"
                    | "set_comprehension"
                    | "generator_expression"
                    | "string"
                    | "concatenated_string"
            )
    }

    /// `check_subscripter` / `check_index`: subscripting a literal that cannot be
    /// subscripted, or a sequence literal with a non-integer literal index.
    fn subscript(&mut self, n: Node<'t>) {
        let Some(v) = field(n, "value") else {
            return;
        };
        let v = unparen(v);
        let scalar = matches!(
            v.kind(),
            "integer"
                | "float"
                | "true"
                | "false"
                | "none"
                | "ellipsis"
                | "set"
                | "set_comprehension"
                | "generator_expression"
                | "lambda"
        ) || (matches!(v.kind(), "unary_operator" | "binary_operator")
            && is_numeric_constant(v));
        if scalar {
            return self.flag(n, "subscripting a literal (SyntaxWarning)");
        }
        let sequence = matches!(
            v.kind(),
            "string" | "concatenated_string" | "tuple" | "list" | "list_comprehension"
        );
        if !sequence {
            return;
        }
        let mut cur = n.walk();
        let idx: Vec<Node<'t>> = n.children_by_field_name("subscript", &mut cur).collect();
        let bad = idx.len() > 1
            || idx.iter().any(|i| {
                let i = unparen(*i);
                let int_like = matches!(i.kind(), "integer" | "true" | "false")
                    || (i.kind() == "unary_operator"
                        && field(i, "argument").is_some_and(|a| a.kind() == "integer"));
                !int_like
                    && (self.is_constant(i)
                        || matches!(
                            i.kind(),
                            "tuple"
                                | "list"
                                | "list_comprehension"
                                | "dictionary"
                                | "dictionary_comprehension"
                                | "set"
                                | "set_comprehension"
                                | "generator_expression"
                                | "lambda"
                                | "string"
                        ))
            });
        if bad {
            self.flag(n, "literal index that is not an integer (SyntaxWarning)");
        }
    }

    // ---- tokens ------------------------------------------------------------------------

    fn string(&mut self, n: Node<'t>, cx: Cx) {
        let Some(start) = n.child(0) else { return };
        let t = self.text(start);
        let Some(q) = t.iter().position(|b| matches!(b, b'\'' | b'"')) else {
            return self.flag(n, "string with an invalid quote");
        };
        let prefix: Vec<u8> = t[..q].iter().map(u8::to_ascii_lowercase).collect();
        let ok = match prefix.as_slice() {
            b"" | b"r" | b"u" | b"b" | b"br" | b"rb" | b"f" | b"fr" | b"rf" => true,
            b"t" | b"tr" | b"rt" => self.py.at_least(3, 14),
            _ => false,
        };
        if !ok {
            return self.flag(n, "invalid string prefix");
        }
        if let Some(outer) = cx.fexpr {
            // Before 3.12 the f-string ends at its own closing quote, wherever it is.
            let triple = t.len() >= q + 3;
            if !self.py.at_least(3, 12) && t[q] == outer.quote && (!outer.triple || triple) {
                self.flag(n, "f-string reuses its quote inside a replacement field");
            }
        }
    }

    fn string_content(&mut self, n: Node<'t>, string: Node<'t>) {
        let Some(start) = string.child(0) else { return };
        let t = self.text(start);
        let q = t
            .iter()
            .position(|b| matches!(b, b'\'' | b'"'))
            .unwrap_or(0);
        let prefix = &t[..q];
        let raw = prefix.iter().any(|b| matches!(b, b'r' | b'R'));
        let bytes = prefix.iter().any(|b| matches!(b, b'b' | b'B'));
        let body = self.text(n);
        if bytes && !body.is_ascii() {
            return self.flag(n, "non-ASCII character in a bytes literal");
        }
        let triple = t.len() >= q + 3;
        if !triple {
            // A line break must be escaped (an odd run of backslashes before it).
            for (i, &b) in body.iter().enumerate() {
                if matches!(b, b'\n' | b'\r') {
                    let run = body[..i].iter().rev().take_while(|&&c| c == b'\\').count();
                    let crlf_tail = b == b'\n' && i > 0 && body[i - 1] == b'\r';
                    if run % 2 == 0 && !crlf_tail {
                        return self.flag(n, "line break in a single-quoted string");
                    }
                }
            }
        }
        if !raw {
            if let Err(e) = check_escapes(body, bytes) {
                self.flag(n, e);
            }
        }
    }

    fn interpolation(&mut self, n: Node<'t>, cx: Cx) {
        let outer = cx.string.or(cx.fexpr);
        if cx.fspec_depth >= 2 {
            return self.flag(n, "f-string replacement fields nested too deeply");
        }
        if let Some(e) = field(n, "expression") {
            if matches!(e.kind(), "lambda" | "named_expression") {
                return self.flag(n, "unparenthesized lambda or `:=` in an f-string");
            }
        }
        if !self.py.at_least(3, 12) {
            // The expression part: up to the conversion or format spec.
            let end = [field(n, "type_conversion"), field(n, "format_specifier")]
                .into_iter()
                .flatten()
                .map(|c| c.start_byte())
                .min()
                .unwrap_or(n.end_byte());
            let t = self.src.get(n.start_byte()..end).unwrap_or(&[]);
            if t.contains(&b'\\') || hash_outside_strings(t) {
                return self.flag(n, "backslash or `#` in an f-string replacement field");
            }
            if outer.is_some_and(|o| !o.triple) && t.iter().any(|b| matches!(b, b'\n' | b'\r')) {
                self.flag(
                    n,
                    "line break in a single-quoted f-string replacement field",
                );
            }
        }
    }

    fn number(&mut self, n: Node<'t>, k: K) {
        let t = self.text(n);
        if let Some(&next) = self.src.get(n.end_byte()) {
            if next.is_ascii_alphanumeric() || next == b'_' || next >= 0x80 {
                return self.flag(n, "number followed by a name (invalid literal)");
            }
        }
        if let Err(e) = check_number(t, k == K::Float) {
            self.flag(n, e);
        }
    }

    fn identifier(&mut self, n: Node<'t>, parent: Option<(K, Node<'t>)>) {
        let t = self.text(n);
        match t {
            b"__debug__" if !is_load(n, parent) => {
                return self.flag(n, "`__debug__` bound or assigned");
            }
            b"async" | b"await" => return self.flag(n, "keyword used as a name"),
            _ => {}
        }
        if !t.is_ascii() {
            let ok = std::str::from_utf8(t).is_ok_and(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || nfkc_stable_letter(c))
            });
            if !ok {
                self.flag(n, "identifier CPython may reject or normalize (NFKC)");
            }
        }
    }

    /// `pytest.mark.NAME` / `mark.NAME`: record NAME.
    fn mark_use(&mut self, n: Node<'t>) {
        if self.aliases.mark.is_empty() && self.aliases.pytest.is_empty() {
            return;
        }
        // `object . attribute`: the first and last children (cheaper than field lookups).
        let (Some(obj), Some(attr)) = (n.child(0), n.child(n.child_count().saturating_sub(1)))
        else {
            return;
        };
        if attr.kind() != "identifier" {
            return;
        }
        let is_mark = match obj.kind() {
            "identifier" => self.aliases.mark.contains(lossy(self.text(obj)).as_ref()),
            "attribute" => {
                let (Some(o), Some(a)) =
                    (obj.child(0), obj.child(obj.child_count().saturating_sub(1)))
                else {
                    return;
                };
                o.kind() == "identifier"
                    && self.text(a) == b"mark"
                    && self.aliases.pytest.contains(lossy(self.text(o)).as_ref())
            }
            _ => false,
        };
        if is_mark {
            let name = lossy(self.text(attr)).into_owned();
            if !self.facts.mark_names.contains(&name) {
                self.facts.mark_names.push(name);
            }
        }
    }
}

/// An assignment (or `del`) target: names, attributes, subscripts, and lists or tuples
/// of them (a starred one only outside `del`).
fn is_target(t: Node<'_>, del: bool) -> bool {
    match t.kind() {
        "identifier" | "attribute" | "subscript" => true,
        "list_splat" | "list_splat_pattern" => {
            !del && t.named_child(0).is_some_and(|x| is_target(x, del))
        }
        "parenthesized_expression" => t.named_child(0).is_some_and(|x| is_target(x, del)),
        "tuple" | "list" | "pattern_list" | "tuple_pattern" | "list_pattern"
        | "expression_list" => {
            let mut c = t.walk();
            let ok = t
                .named_children(&mut c)
                .filter(|x| x.kind() != "comment")
                .all(|x| is_target(x, del));
            ok
        }
        _ => false,
    }
}

fn is_docstring(s: Node<'_>) -> bool {
    s.kind() == "expression_statement"
        && s.named_child_count() == 1
        && s.named_child(0)
            .is_some_and(|c| matches!(c.kind(), "string" | "concatenated_string"))
}

/// Whether an identifier is only read where it stands (the parents it can be read in;
/// anything else might bind it).
fn is_load(n: Node<'_>, parent: Option<(K, Node<'_>)>) -> bool {
    let Some((_, p)) = parent else { return false };
    match p.kind() {
        "if_statement"
        | "elif_clause"
        | "while_statement"
        | "boolean_operator"
        | "not_operator"
        | "comparison_operator"
        | "argument_list"
        | "parenthesized_expression"
        | "conditional_expression"
        | "return_statement"
        | "assert_statement"
        | "binary_operator"
        | "unary_operator"
        | "list"
        | "tuple"
        | "set"
        | "interpolation"
        | "expression_list" => true,
        "assignment" | "keyword_argument" | "pair" => p
            .child_by_field_name(if p.kind() == "pair" { "value" } else { "right" })
            .or_else(|| field(p, "value"))
            .is_some_and(|v| v.id() == n.id()),
        _ => false,
    }
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
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

/// An arithmetic expression of number literals (folded to a number, not subscriptable).
fn is_numeric_constant(n: Node<'_>) -> bool {
    let n = unparen(n);
    match n.kind() {
        "integer" | "float" | "true" | "false" => true,
        "unary_operator" => field(n, "argument").is_some_and(is_numeric_constant),
        "binary_operator" => {
            field(n, "left").is_some_and(is_numeric_constant)
                && field(n, "right").is_some_and(is_numeric_constant)
        }
        _ => false,
    }
}

/// Letters whose NFKC form is themselves (CPython normalizes identifiers with NFKC, so
/// a name like `ﬁ` would be collected as `fi`). Anything else non-ASCII is uncertain.
fn nfkc_stable_letter(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x00FF
        | 0x0100..=0x017E
        | 0x0386 | 0x0388..=0x038A | 0x038C | 0x038E..=0x03A1 | 0x03A3..=0x03CE
        | 0x0400..=0x045F
        | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x30FC
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3)
        && !matches!(u, 0x0132 | 0x0133 | 0x013F | 0x0140 | 0x0149)
}

/// The escapes of a non-raw literal's body: malformed `\x`/`\u`/`\U` are SyntaxErrors,
/// unknown escapes and octal values above 0o377 are warnings, `\N{...}` needs the
/// Unicode name database.
fn check_escapes(body: &[u8], bytes: bool) -> Result<(), &'static str> {
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(&e) = body.get(i + 1) else {
            return Err("backslash at the end of a string part");
        };
        if e >= 0x80 {
            // CPython turns `\` before a non-ASCII character into a literal backslash.
            i += 1;
            continue;
        }
        i += 2;
        match e {
            b'\n' | b'\\' | b'\'' | b'"' | b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' => {}
            b'\r' => {
                if body.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                let mut digits = 1;
                while digits < 3 {
                    match body.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                            digits += 1;
                        }
                        _ => break,
                    }
                }
                if v > 0o377 {
                    return Err("octal escape above \\377 (warning)");
                }
            }
            b'x' => {
                let ok = body
                    .get(i..i + 2)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                if !ok {
                    return Err("truncated \\x escape");
                }
                i += 2;
            }
            b'u' | b'U' if !bytes => {
                let len = if e == b'u' { 4 } else { 8 };
                let digits = body.get(i..i + len);
                let ok = digits.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
                    && digits
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .is_some_and(|v| v <= 0x10_FFFF);
                if !ok {
                    return Err("malformed \\u or \\U escape");
                }
                i += len;
            }
            b'N' if !bytes => {
                let named = body
                    .get(i..)
                    .filter(|rest| rest.first() == Some(&b'{'))
                    .and_then(|rest| {
                        let end = rest.iter().position(|&b| b == b'}')?;
                        let name = std::str::from_utf8(&rest[1..end]).ok()?;
                        unicode_name(name).map(|_| end + 1)
                    });
                match named {
                    Some(len) => i += len,
                    None => return Err("\\N{...} escape with a name fastest does not know"),
                }
            }
            _ => return Err("invalid escape sequence (warning)"),
        }
    }
    Ok(())
}

/// The character a `\N{name}` escape names, when CPython surely accepts the name: its
/// canonical name as written, in capitals. CPython also takes regular names in lower
/// case and the formal aliases; those (rare) stay unchecked, since the table's lookup
/// is looser than CPython's (spaces, underscores, hex digits in any case).
pub(crate) fn unicode_name(name: &str) -> Option<char> {
    let c = unicode_names2::character(name)?;
    let canonical = unicode_names2::name(c)?.to_string();
    (canonical == name).then_some(c)
}

/// Whether `n` is a dotted name (`a`, `a.b.c`): reading it runs no code of its own.
fn attr_chain_only(n: Node<'_>) -> bool {
    match n.kind() {
        "identifier" => true,
        "attribute" => field(n, "object").is_some_and(attr_chain_only),
        _ => false,
    }
}

/// A numeric literal as CPython's tokenizer reads it (tree-sitter also takes `1L`,
/// `0777`, `1_`, `1_.5`).
fn check_number(t: &[u8], is_float: bool) -> Result<(), &'static str> {
    let lower: Vec<u8> = t.iter().map(u8::to_ascii_lowercase).collect();
    if lower.ends_with(b"l") {
        return Err("Python 2 long literal");
    }
    let based = lower.len() > 1 && lower[0] == b'0' && matches!(lower[1], b'x' | b'o' | b'b');
    if based {
        // tree-sitter only accepts valid digits there, `_` always followed by a digit.
        return Ok(());
    }
    // Every `_` must sit between two digits.
    for (i, &b) in lower.iter().enumerate() {
        if b == b'_' {
            let before = i > 0 && lower[i - 1].is_ascii_digit();
            let after = lower.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !(before && after) {
                return Err("misplaced `_` in a number");
            }
        }
    }
    let imaginary = lower.ends_with(b"j");
    if !is_float && !imaginary && lower.first() == Some(&b'0') {
        // Leading zeros are only allowed when every digit is zero.
        if lower.iter().any(|b| matches!(b, b'1'..=b'9')) {
            return Err("leading zeros in a decimal integer");
        }
    }
    Ok(())
}

/// Whether `name` appears as an identifier inside `scope` before byte `before`.
fn used_before(src: &[u8], scope: Node<'_>, name: &[u8], before: usize) -> bool {
    let mut stack = vec![scope];
    let mut cur = scope.walk();
    while let Some(x) = stack.pop() {
        // Names in other global/nonlocal statements are declarations, not uses.
        if x.start_byte() >= before || matches!(x.kind(), "global_statement" | "nonlocal_statement")
        {
            continue;
        }
        // Nested function and class bodies are other scopes (their headers are not).
        if x.id() != scope.id()
            && matches!(
                x.kind(),
                "function_definition" | "class_definition" | "lambda"
            )
        {
            for field in ["name", "parameters", "superclasses", "decorator"] {
                if let Some(c) = x.child_by_field_name(field) {
                    stack.push(c);
                }
            }
            continue;
        }
        // A comprehension is a scope of its own but for its first iterable, which the
        // enclosing scope evaluates.
        if matches!(
            x.kind(),
            "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression"
        ) {
            let first_for = x
                .named_children(&mut cur)
                .find(|c| c.kind() == "for_in_clause");
            let first_iter = first_for.and_then(|c| field(c, "right"));
            if let Some(iter) = first_iter {
                stack.push(iter);
            }
            // An assignment expression inside binds in the enclosing scope.
            if walrus_binds(src, x, first_iter, name) {
                return true;
            }
            continue;
        }
        // CPython's check counts names bound or read as variables; an import binds
        // without being checked, and an attribute's or keyword's name is no variable.
        if matches!(
            x.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        ) {
            continue;
        }
        if x.kind() == "identifier" && src.get(x.byte_range()) == Some(name) {
            let not_a_variable = x.parent().is_some_and(|p| match p.kind() {
                "attribute" => field(p, "attribute").is_some_and(|a| a.id() == x.id()),
                "keyword_argument" => field(p, "name").is_some_and(|a| a.id() == x.id()),
                _ => false,
            });
            if not_a_variable {
                continue;
            }
            // The statement's own names start after `before`; the def's name is its
            // binding in the enclosing scope, not a use.
            let is_def_name = x.parent().is_some_and(|p| {
                p.id() == scope.id() && field(p, "name").is_some_and(|nm| nm.id() == x.id())
            });
            if !is_def_name {
                return true;
            }
        }
        stack.extend(x.named_children(&mut cur).collect::<Vec<_>>());
    }
    false
}

/// Whether an assignment expression (`name := ...`) in the comprehension `comp` (outside
/// `skip`, its first iterable, which the caller reads; not in a nested lambda) binds
/// `name`: CPython binds it in the scope around the comprehension.
fn walrus_binds(src: &[u8], comp: Node<'_>, skip: Option<Node<'_>>, name: &[u8]) -> bool {
    let mut cur = comp.walk();
    let mut stack: Vec<Node<'_>> = comp.named_children(&mut cur).collect();
    while let Some(x) = stack.pop() {
        if skip.is_some_and(|s| s.id() == x.id()) || x.kind() == "lambda" {
            continue;
        }
        if x.kind() == "named_expression"
            && field(x, "name").is_some_and(|n| src.get(n.byte_range()) == Some(name))
        {
            return true;
        }
        stack.extend(x.named_children(&mut cur));
    }
    false
}

/// Whether `#` stands in an f-string's expression part outside the string literals in
/// it (before 3.12 a comment there is an error; `f"{'#' if a else ''}"` is not). The
/// expression holds no backslash (the caller checks), so a literal ends at its quote.
fn hash_outside_strings(t: &[u8]) -> bool {
    let mut i = 0;
    while i < t.len() {
        match t[i] {
            b'#' => return true,
            q @ (b'\'' | b'"') => {
                let close: &[u8] = if t[i..].starts_with(&[q, q, q]) {
                    &t[i..i + 3]
                } else {
                    &t[i..=i]
                };
                let from = i + close.len();
                match t[from..].windows(close.len()).position(|w| w == close) {
                    Some(at) => i = from + at + close.len(),
                    None => return false,
                }
            }
            _ => i += 1,
        }
    }
    false
}

fn first_named(n: Node<'_>) -> Option<Node<'_>> {
    n.named_child(0)
}

fn last_named(n: Node<'_>) -> Option<Node<'_>> {
    n.named_child(n.named_child_count().checked_sub(1)?)
}

fn is_parameter(src: &[u8], scope: Node<'_>, name: &[u8]) -> bool {
    let Some(params) = field(scope, "parameters") else {
        return false;
    };
    let mut stack = vec![params];
    let mut cur = params.walk();
    while let Some(x) = stack.pop() {
        match x.kind() {
            "identifier" => {
                // Skip identifiers inside defaults and annotations.
                let in_value = x.parent().is_some_and(|p| {
                    field(p, "value").is_some_and(|v| v.id() == x.id())
                        || field(p, "type").is_some_and(|v| v.id() == x.id())
                });
                if !in_value && src.get(x.byte_range()) == Some(name) {
                    return true;
                }
            }
            "type" => continue,
            _ => {}
        }
        let kids: Vec<Node<'_>> = x.named_children(&mut cur).collect();
        for k in kids {
            if field(x, "value").is_some_and(|v| v.id() == k.id()) {
                continue;
            }
            stack.push(k);
        }
    }
    false
}

/// Whether the scope annotates `name` (`name: T` or `name: T = v`), skipping nested scopes.
fn annotates(src: &[u8], scope: Node<'_>, name: &[u8]) -> bool {
    let Some(body) = field(scope, "body").or(if scope.kind() == "module" {
        Some(scope)
    } else {
        None
    }) else {
        return false;
    };
    let mut stack = vec![body];
    let mut cur = body.walk();
    while let Some(x) = stack.pop() {
        match x.kind() {
            "function_definition" | "class_definition" | "lambda" => continue,
            "assignment"
                if field(x, "type").is_some()
                    && field(x, "left").is_some_and(|l| {
                        l.kind() == "identifier" && src.get(l.byte_range()) == Some(name)
                    }) =>
            {
                return true;
            }
            _ => {}
        }
        stack.extend(x.named_children(&mut cur).collect::<Vec<_>>());
    }
    false
}

/// Whether the function `scope` binds `name` itself (parameter, assignment, loop or
/// `with`/`except` target, import, nested def/class name, `del`), as CPython's symbol
/// table sees it for `nonlocal` resolution.
fn binds(src: &[u8], scope: Node<'_>, name: &[u8]) -> bool {
    if is_parameter(src, scope, name) {
        return true;
    }
    let Some(body) = field(scope, "body") else {
        return false;
    };
    let is_name = |n: Node<'_>| n.kind() == "identifier" && src.get(n.byte_range()) == Some(name);
    let mut targets: Vec<Node<'_>> = Vec::new();
    let mut stack = vec![body];
    let mut cur = body.walk();
    let mut declared_global = false;
    while let Some(x) = stack.pop() {
        match x.kind() {
            "function_definition" | "class_definition" => {
                if field(x, "name").is_some_and(is_name) {
                    return true;
                }
                continue;
            }
            "lambda"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => continue,
            "global_statement" => {
                let mut c = x.walk();
                if x.named_children(&mut c).any(is_name) {
                    declared_global = true;
                }
            }
            "assignment" | "augmented_assignment" | "for_statement" => {
                if let Some(l) = field(x, "left") {
                    targets.push(l);
                }
            }
            "as_pattern_target" | "delete_statement" => targets.push(x),
            "except_clause" => {
                if let Some(a) = field(x, "alias") {
                    targets.push(a);
                }
            }
            "named_expression" => {
                if let Some(l) = field(x, "name") {
                    targets.push(l);
                }
            }
            "import_statement" | "import_from_statement" => {
                let mut c = x.walk();
                for nm in x.children_by_field_name("name", &mut c) {
                    let bound = if nm.kind() == "aliased_import" {
                        field(nm, "alias")
                    } else {
                        nm.named_child(0)
                    };
                    if let Some(b) = bound {
                        targets.push(b);
                    }
                }
            }
            _ => {}
        }
        stack.extend(x.named_children(&mut cur).collect::<Vec<_>>());
    }
    if declared_global {
        return false;
    }
    // Names inside the targets, not inside attribute or subscript expressions.
    let mut stack = targets;
    while let Some(t) = stack.pop() {
        match t.kind() {
            "identifier" => {
                if is_name(t) {
                    return true;
                }
            }
            "attribute" | "subscript" => {}
            _ => stack.extend(t.named_children(&mut cur).collect::<Vec<_>>()),
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check_src(src: &str, py: PyVersion) -> Result<(), String> {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(src.as_bytes(), None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "tree-sitter error in {src:?}"
        );
        let pytest: HashSet<String> = ["pytest".to_string()].into();
        let mark: HashSet<String> = HashSet::new();
        let aliases = MarkAliases {
            pytest: &pytest,
            mark: &mark,
        };
        let mut facts = Facts::default();
        check(src.as_bytes(), tree.root_node(), py, &aliases, &mut facts)
    }

    fn bad(src: &str) {
        assert!(
            check_src(src, PyVersion(3, 11)).is_err(),
            "accepted: {src:?}"
        );
    }

    fn good(src: &str) {
        if let Err(e) = check_src(src, PyVersion(3, 11)) {
            panic!("rejected {src:?}: {e}");
        }
    }

    #[test]
    fn indentation_cpython_rejects() {
        bad("def test_indent():\n    pass\n  def oops():\n    pass\n");
        bad("if True:\n        pass\n    x = 1\n");
        bad("def t():\n\tif True:\n        pass\n");
        bad("if True:\n    pass\n\tx = 1\n");
        bad("if x: pass\n    y = 1\n");
        bad("x = 1\n    y = 2\n");
        bad("  x = 1\n");
        bad("if x:\npass\n");
        bad("if a:\n    pass\n  else:\n    pass\n");
        bad("x = 1 + \\\n\n    2\n");
        bad("def f():\n    x &= \n\n    x ^ 1\n");
        bad("x = 1\n'\n'\n");
        bad("__rmul__ = __mu:l__\n");
        good("x = 'a'\n'b'\n");
    }

    #[test]
    fn indentation_cpython_accepts() {
        good(
            "class T:\n\tdef test(self):\n\t\tpass\n\n\tdef t2(self):\n\t\tif True:\n\t\t\tpass\n",
        );
        good("def f():\n    x = 1; y = 2\n    if x: pass\n    # comment\n  # odd comment\n    return y\n");
        good("\x0cdef f():\n    pass\nx = 1 + \\\n    2\n");
        good("if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\n");
        good("@d\n@e(1)\nclass A:\n    @staticmethod\n    def f():\n        pass\n");
        good("def f():\r\n    pass\r\n");
        good("x = [\n  1,\n      2]\ny = '''\n  z\n'''\n");
        // Files of blank lines only (an empty conftest).
        good("\n");
        good("\n\n");
        good("\r\n\r\n\n");
        good("   \n\n");
    }

    #[test]
    fn match_statements() {
        // Patterns whose node kinds are those of assignment targets (`as`, tuples,
        // stars) are not held to the targets' rules.
        good(concat!(
            "def test_m(v):\n",
            "    match v:\n",
            "        case [1, *rest] | (2, *rest):\n",
            "            return rest\n",
            "        case {\"k\": (a, b) as pair, **kw} if a:\n",
            "            pass\n",
            "        case Point(x=0, y=[*_]) | Point(x=1, y=()):\n",
            "            pass\n",
            "        case str() as s:\n",
            "            pass\n",
            "        case _:\n",
            "            pass\n",
        ));
        good("match = 1\nmatch(x)\ncase = [match]\n");
        good("match x := 3:\n    case 3:\n        pass\n");
        good("match *a, b:\n    case _:\n        pass\n");
        good("match x := 3, 4:\n    case _:\n        pass\n");
        // What the pattern checker refuses, and what the general walk still sees inside
        // patterns and guards.
        bad("def f(v):\n    match v:\n        case x:\n            pass\n        case 1:\n            pass\n");
        bad("match v:\n    case [a, a]:\n        pass\n");
        bad("match v:\n    case \"\\d\":\n        pass\n");
        bad("match v:\n    case 1 if (yield):\n        pass\n");
        assert!(check_src("match v:\n    case 1:\n        pass\n", PyVersion(3, 9)).is_err());
    }

    #[test]
    fn compile_time_errors() {
        for src in [
            "return 1\n",
            "yield 1\n",
            "await x\n",
            "async def f():\n    pass\nasync with x: pass\n",
            "def f():\n    await x\n",
            "nonlocal x\n",
            "def f():\n    nonlocal x\n",
            "def f():\n    x = 1\n    global x\n",
            "def f(x):\n    global x\n",
            "break\n",
            "for x in y:\n    def g():\n        break\n",
            "for x in y:\n    pass\nelse:\n    continue\n",
            "class A:\n    return 1\n",
            "del f()\n",
            "a, b += 1\n",
            "def f(a, a): pass\n",
            "f(a=1, a=2)\n",
            "f(a=1, 2)\n",
            "f(**k, *a)\n",
            "def f(a=1, b): pass\n",
            "def f(*): pass\n",
            "x = 1\nfrom __future__ import annotations\n",
            "from __future__ import braces\n",
            "def f():\n    from os import *\n",
            "*a = 1\n",
            "a, *b, *c = x\n",
            "*a\n",
            "print 'x'\n",
            "exec 'x'\n",
            "try:\n    pass\nexcept E, e:\n    pass\n",
            "1 <> 2\n",
            "`x`\n",
            "x = 0777\n",
            "x = 1_\n",
            "x = 1L\n",
            "x = b'\u{e9}'\n",
            "x = '\\x1'\n",
            "x = u'a' b'b'\n",
            "x = ur'a'\n",
            "x = [*a for a in b]\n",
            "x = (*b)\n",
            "try:\n    pass\n",
            "try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n",
            "with a as 1: pass\n",
            "from a import b,\n",
            "import a,\n",
            "__debug__ = 1\n",
            "async = 1\n",
            "assert a, b, c\n",
            "raise a, b\n",
            "x := 1\n",
            "def f[T](): pass\n",
            "type X = int\n",
            "f\"{x[\"a\"]}\"\n",
            "f'{a!z}'\n",
            "try:\n    pass\nexcept E as e.x:\n    pass\n",
            "for x in y:\n    try:\n        pass\n    except* E:\n        break\n",
            "x = a as b\n",
            "f'{a:{b:{c}}}'\n",
            "[x for x in a, b]\n",
            "async def f():\n    yield 1\n    return 2\n",
            "def f():\n    def g():\n        print(x)\n        nonlocal x\n    x = 1\n",
        ] {
            bad(src);
        }
    }

    #[test]
    fn compile_time_warnings() {
        for src in [
            "x = '\\d'\n",
            "x = b'\\u1234'\n",
            "x = '\\400'\n",
            "y = x is 1\n",
            "assert (x, 'msg')\n",
            "z = 'abc'()\n",
            "w = [1, 2][1, 2]\n",
            "v = (1)(2)\n",
            "y = 1if x else 2\n",
            "x = '\\N{DASH}'\n",
        ] {
            bad(src);
        }
    }

    #[test]
    fn valid_python_is_accepted() {
        for src in [
            "global x\n",
            "x.y += 1\n",
            "x = '\\N{EM DASH}\\N{GREEK SMALL LETTER ALPHA}'\n",
            "def f(a, /, b=1, *args, c, d=2, **kw): pass\n",
            "lambda *, a: 0\n",
            "f(a, *b, c=1, *d, **e)\n",
            "f(*a, b)\n",
            "f(a=1, *b)\n",
            "f(x for x in y)\n",
            "x = a, *b\n",
            "x = [*a, *b]\n",
            "for *a, b in c: pass\n",
            "with (a as b, c as d): pass\n",
            "with a as (b, c): pass\n",
            "del (a, b), [c], x.y, x[0]\n",
            "def f():\n    x = yield\n    return (yield)\n",
            "lambda: (yield)\n",
            "def f():\n    def g():\n        nonlocal x\n    x = 1\n",
            "def f(x):\n    def g():\n        nonlocal x\n        x = 2\n",
            "def f():\n    global x\n    global x\n",
            "'''doc'''\nfrom __future__ import annotations\nimport os\n",
            "if (n := 10) > 5: pass\n",
            "f(a := 1)\n",
            "x = [a := 1, 2]\n",
            "x = 0o17; y = 1_000; z = 1e5; w = 1.5j; v = 0XFF; u = 0b1; t = 1.; s = .5; r = 00\n",
            "x = r'\\d'\ny = rb'\\d' b'\\x00\\n'\nz = '\\u00e9\\U0001F600\\x41\\101\\\n'\n",
            "x = f'{a!r:>{10}}' f\"{x=}\" f'{{}}'\n",
            "async def f():\n    async for x in y: pass\n    async with z: pass\n    await w\n    return [a async for a in b]\n",
            "try:\n    pass\nexcept (A, B) as e:\n    pass\nelse:\n    pass\nfinally:\n    pass\n",
            "try:\n    pass\nexcept* E:\n    pass\n",
            "x = y if z else w\nprint(x is None, x is not True, x is ...)\n",
            "x: int = 1\nx.y: int\nx[0]: int = 1\n",
            "class A(B, metaclass=M): pass\n",
            "def caf\u{e9}(): pass\nclass \u{dc}ber: pass\ndef \u{65e5}\u{672c}(): pass\n",
            "@x := y\ndef f(): pass\n",
            "x = a[*b]\n",
            "x = 'abc'[0] + [1, 2][-1] + (1, 2)[i] + {'a': 1}['a']\n",
        ] {
            good(src);
        }
    }

    /// CPython's "used prior to / assigned to before global declaration": variables
    /// only (verdicts of CPython 3.11's `compile`). syrupy's plugin sets
    /// `session.config._syrupy` before `global _syrupy`, which compiles.
    #[test]
    fn names_before_a_global_declaration() {
        let rejected = [
            "def f():\n    x.y = 1\n    global x\n",
            "def f(y):\n    for x in y: pass\n    global x\n",
            "def f():\n    def x(): pass\n    global x\n",
            "def f():\n    del x\n    global x\n",
            "def f():\n    @x\n    def g(): pass\n    global x\n",
            "def f():\n    f'{x}'\n    global x\n",
            "print(x)\nglobal x\n",
            "def f():\n    [z for z in x]\n    global x\n",
            "def f():\n    {z: 1 for z in x}\n    global x\n",
            "def f(y):\n    [(x := 1) for z in y]\n    global x\n",
            "def f():\n    lambda a=x: a\n    global x\n",
            "def g():\n    x = 1\n    def f():\n        print(x)\n        nonlocal x\n",
        ];
        for src in rejected {
            bad(src);
        }
        let accepted = [
            "def f(s):\n    s.x = 1\n    global x\n",
            "def f(s):\n    s(x=1)\n    global x\n",
            "def f():\n    from m import x\n    global x\n",
            "def f():\n    import x.y\n    global x\n",
            "def f():\n    from .x import y\n    global x\n",
            "def f():\n    lambda: x\n    global x\n",
            "def f(y):\n    [x for x in y]\n    global x\n",
            "def f(y):\n    [z for w in y for z in x]\n    global x\n",
            "s.x = 1\nglobal x\n",
            "def g():\n    x = 1\n    def f(s):\n        s.x = 1\n        nonlocal x\n",
        ];
        for src in accepted {
            good(src);
        }
    }

    /// Sources CPython 3.11 compiles that tree-sitter shapes oddly, found by running the
    /// check over the installed packages of many projects (each had been called a
    /// syntax CPython may reject, sending its file to the import fallback).
    #[test]
    fn valid_python_tree_sitter_shapes_oddly() {
        for src in [
            // A byte order mark; other names of the UTF-8 codec.
            "\u{feff}x = 1\n",
            "\u{feff}# coding: utf-8\nx = 1\n",
            "# -*- coding: utf8 -*-\nx = 1\n",
            "# coding: u8\nx = 1\n",
            // `:=` over a conditional (tree-sitter: `(x := a) if c else b`).
            "if (x := a if c else b) is None: pass\n",
            "y = [(x := a if c else b if d else e)]\n",
            // `as` in a parenthesized or conditional with item.
            "with (a as b): pass\n",
            "with (\n    a(1) as p,\n):\n    pass\n",
            "with a if c else b() as span: pass\n",
            "with (a(x)\n      as t):\n    pass\n",
            // A starred attribute target (tree-sitter: `(*self).args`).
            "*self.args, self.obj = new\n",
            "[*self.args, x] = new\n",
            // PEP 646's star in a subscript of an annotation; a parenthesized target.
            "def f(s: Select[*Ts]) -> Tuple[int, *Ts]: pass\n",
            "x: tuple[int, *Ts] = 1\n",
            "def f() -> Result[*tuple[Any, ...]]: ...\n",
            "(pars): bool = True\n",
            "(a.b): int\n",
            // `:=` in a comprehension, where CPython allows it.
            "def f(a):\n    return [(y := 1) for x in a]\n",
            "z = [y for x in a if (y := x)]\n",
            "z = [[(w := y) for y in b] for x in a]\n",
            // `#` in a string inside an f-string's replacement field.
            "x = f\"{'#else ' if a else ''}/* {len(b)} */\"\n",
            "x = f\" #{c.lstrip('#')}\"\n",
            // A backslash continuation followed by a blank line, the statement complete.
            "x = \\\n'a' \\\n\ny = 1\n",
            "x = (1 + \\\n\n2)\n",
        ] {
            good(src);
        }
        for src in [
            "\u{feff}# coding: utf8\nx = 1\n",
            "x = y := 1\n",
            "z = (a as b)\n",
            "with (a as b) + c: pass\n",
            "(x,): int = 1\n",
            "x = f\"{a # comment\n}\"\n",
            "x = 1 + \\\n\n2\n",
            "z = [x for x in (y := a)]\n",
            "z = [[y for y in (x := z)] for w in v]\n",
            "z = [y for x in a if (x := 1)]\n",
            "z = [[(x := 1) for y in b] for x in a]\n",
            "z = [y for x, (y, *z) in a if (z := 1)]\n",
            "class C:\n    z = [(y := 1) for x in a]\n",
        ] {
            bad(src);
        }
    }

    #[test]
    fn version_gated_syntax() {
        let src = "def f[T](x: T) -> T: return x\ntype X = int\nx = f\"{a[\"k\"]}\"\n";
        assert!(check_src(src, PyVersion(3, 11)).is_err());
        assert!(check_src(src, PyVersion(3, 12)).is_ok());
        assert!(check_src("try:\n    pass\nexcept* E:\n    pass\n", PyVersion(3, 10)).is_err());
    }

    #[test]
    fn bytes_outside_tokens() {
        // tree-sitter itself errors on most NULs; the byte check is the backstop.
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(b"x = 1\n", None).unwrap();
        assert!(check_bytes(b"x = '\0'\n", tree.root_node()).is_err());
        assert!(check_src("x = 1\u{200b}+ 2\n", PyVersion::MIN).is_err());
        assert!(check_src("x = 1\x0b+ 2\n", PyVersion::MIN).is_err());
        assert!(check_src("x = 1 \\\n", PyVersion::MIN).is_err());
        assert!(check_src("# caf\u{e9}\nx = 'caf\u{e9}'\n", PyVersion::MIN).is_ok());
        assert!(check_src("# -*- coding: latin-1 -*-\nx = 1\n", PyVersion::MIN).is_err());
        assert!(check_src("# -*- coding: utf-8 -*-\nx = 1\n", PyVersion::MIN).is_ok());
    }

    #[test]
    fn nfkc_changing_identifiers() {
        bad("def test_\u{fb01}(): pass\n");
        bad("\u{b5} = 1\n");
    }

    #[test]
    fn facts_imports_and_marks() {
        let src = "import os.path, a.b as c\nfrom ..x import y, z\ntry:\n    import maybe\nexcept ImportError:\n    maybe = None\ndef f():\n    import lazy\nclass C:\n    import inclass\nimport pytest\n@pytest.mark.slow\ndef test(): pass\n";
        let facts = facts_of(src, &["pytest"]);
        let mods: Vec<(u32, &str)> = facts
            .imports
            .iter()
            .map(|i| (i.level, i.module.as_str()))
            .collect();
        assert_eq!(
            mods,
            [
                (0, "os.path"),
                (0, "a.b"),
                (2, "x"),
                (0, "maybe"),
                (0, "inclass"),
                (0, "pytest")
            ]
        );
        assert!(matches!(facts.imports[3].role, TryRole::Attempt(g) if g > 0));
        assert_eq!(facts.imports[2].names, ["y", "z"]);
        assert_eq!(facts.mark_names, ["slow"]);
    }

    /// What `check` finds in `src`, with `pytest` the names pytest is imported as.
    fn facts_of(src: &str, pytest: &[&str]) -> Facts {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(src.as_bytes(), None).unwrap();
        let pytest: HashSet<String> = pytest.iter().map(|p| (*p).to_string()).collect();
        let mark = HashSet::new();
        let aliases = MarkAliases {
            pytest: &pytest,
            mark: &mark,
        };
        let mut facts = Facts::default();
        check(
            src.as_bytes(),
            tree.root_node(),
            PyVersion::MIN,
            &aliases,
            &mut facts,
        )
        .unwrap();
        facts
    }

    fn import_roles(src: &str) -> Vec<(String, TryRole)> {
        facts_of(src, &[])
            .imports
            .into_iter()
            .map(|i| (i.module, i.role))
            .collect()
    }

    #[test]
    fn import_error_handlers_depend_on_their_try() {
        let g = |src: &str, at: &str| try_group_at(src, at);
        // The classic fallback: the handler's import runs only if the attempt fails.
        let src = "try:\n    from unittest import mock  # stdlib\n    HAS = True\nexcept ImportError:\n    import mock\n";
        assert_eq!(
            import_roles(src),
            [
                ("unittest".to_string(), TryRole::Attempt(g(src, "try"))),
                ("mock".to_string(), TryRole::Fallback(g(src, "try")))
            ]
        );
        // Anything else in the body may raise: the handler's imports always count.
        let src = "try:\n    import a\n    a.setup()\nexcept ImportError:\n    import b\n";
        assert_eq!(import_roles(src), [("b".to_string(), TryRole::Always)]);
        // Reading a name raises no ImportError: a handler of import errors only still
        // runs only when an import fails; one catching `Exception` may run for it.
        let src = "try:\n    from http import HTTPStatus\n    FOUND = HTTPStatus.FOUND\nexcept ImportError:\n    from httplib import FOUND\n";
        assert_eq!(
            import_roles(src),
            [
                ("http".to_string(), TryRole::Attempt(g(src, "try"))),
                ("httplib".to_string(), TryRole::Fallback(g(src, "try")))
            ]
        );
        let src = "try:\n    from http import HTTPStatus\n    FOUND = HTTPStatus.FOUND\nexcept Exception:\n    from httplib import FOUND\n";
        assert_eq!(
            import_roles(src),
            [("httplib".to_string(), TryRole::Always)]
        );
        // A handler that does not catch ImportError does not run for a failed import;
        // one under `except (ValueError, ImportError) as e` does.
        let src =
            "try:\n    import a\nexcept ImportError:\n    pass\nexcept ValueError:\n    import b\n";
        assert_eq!(
            import_roles(src),
            [
                ("a".to_string(), TryRole::Attempt(g(src, "try"))),
                ("b".to_string(), TryRole::Always)
            ]
        );
        let src = "x = 1\ntry:\n    import a\nexcept (ValueError, ImportError) as e:\n    import b\nelse:\n    import c\n";
        assert_eq!(
            import_roles(src),
            [
                ("a".to_string(), TryRole::Attempt(g(src, "try"))),
                ("b".to_string(), TryRole::Fallback(g(src, "try"))),
                ("c".to_string(), TryRole::Always)
            ]
        );
        // A try inside a guarded body is not tracked: nothing in it counts.
        let src = "try:\n    try:\n        import a\n    except ImportError:\n        import b\nexcept ImportError:\n    pass\n";
        assert_eq!(import_roles(src), []);
    }

    fn try_group_at(src: &str, at: &str) -> u32 {
        u32::try_from(src.find(at).unwrap()).unwrap() + 1
    }
}

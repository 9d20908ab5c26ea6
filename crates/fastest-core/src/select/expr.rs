//! The `-k` / `-m` match-expression language: lexer, parser, the compiled
//! [`Expression`] and its evaluation against a caller-supplied matcher.
//!
//! The grammar is pytest 9.2's (`_pytest/mark/expression.py`):
//!
//! ```text
//! expression := expr? EOF
//! expr       := and_expr ('or' and_expr)*
//! and_expr   := not_expr ('and' not_expr)*
//! not_expr   := 'not' not_expr | '(' expr ')' | ident kwargs?
//! ident      := [\w:+\-.\[\]\\/]+          (\w is Python's Unicode-aware class)
//! kwargs     := '(' name '=' value (',' name '=' value)* ')'
//! value      := 'str' | "str" | -?digits | True | False | None
//! ```
//!
//! Errors carry the exact text pytest prints, including its quirks: the scanner is lazy (a bad
//! character after the point where parsing fails is never reported), columns count code
//! points, and two checks (repeated and `__debug__` keyword names) come from Python's
//! compiler, so they are reported with text `None` at column 1 and only once the whole input
//! has parsed.
//!
//! The parser is the grammar's recursive descent, step for step, except that a parenthesised
//! group goes on an explicit stack instead of the call stack, and the result is a flat
//! program of matches and short-circuit jumps. No input can overflow the stack when parsing,
//! evaluating or dropping it; pytest itself dies with `RecursionError` (INTERNALERROR, exit
//! 3) at about 330 nested parentheses or 1000 chained `or`s, which fastest simply evaluates.

use std::fmt;

use crate::item::MarkValue;

use super::unicode;

/// A kind of token, displayed with the words pytest uses in "expected X; got Y".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    LParen,
    RParen,
    Or,
    And,
    Not,
    Ident,
    Eof,
    Equal,
    Str,
    Comma,
}

impl TokenKind {
    /// pytest's name for the token kind in error messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::LParen => "left parenthesis",
            TokenKind::RParen => "right parenthesis",
            TokenKind::Or => "or",
            TokenKind::And => "and",
            TokenKind::Not => "not",
            TokenKind::Ident => "identifier",
            TokenKind::Eof => "end of input",
            TokenKind::Equal => "=",
            TokenKind::Str => "string literal",
            TokenKind::Comma => ",",
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What went wrong; `Display` is pytest's message (the part after `at column N: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A character no token can start with (`&`, `$`, a newline, ...).
    #[error("unexpected character \"{0}\"")]
    UnexpectedCharacter(char),
    /// A `'` or `"` without its partner.
    #[error("closing quote \"{0}\" is missing")]
    UnclosedString(char),
    /// A backslash inside a string literal.
    #[error("escaping with \"\\\" not supported in marker expression")]
    EscapeInString,
    /// The parser wanted one of `expected` and found `got`.
    #[error("expected {}; got {got}", join_kinds(expected))]
    Expected {
        expected: Vec<TokenKind>,
        got: TokenKind,
    },
    /// A keyword-argument name that `str.isidentifier()` rejects.
    #[error("not a valid python identifier {0}")]
    InvalidKeywordName(String),
    /// A keyword-argument name that is a Python keyword (`if`, `None`, ...).
    #[error("unexpected reserved python keyword `{0}`")]
    ReservedKeyword(String),
    /// A keyword-argument value that is neither a string, an integer nor True/False/None.
    #[error("unexpected character/s \"{0}\"")]
    InvalidValue(String),
    /// The same keyword twice in one call (raised by Python's compiler in pytest).
    #[error("keyword argument repeated: {0}")]
    RepeatedKeyword(String),
    /// A keyword argument named `__debug__` (raised by Python's compiler in pytest).
    #[error("cannot assign to __debug__")]
    AssignToDebug,
    /// A value made of digits `int()` refuses (`²`). pytest crashes with this `ValueError`
    /// as an INTERNALERROR; we report it as a usage error instead.
    #[error("invalid literal for int() with base 10: '{0}'")]
    InvalidIntLiteral(String),
}

fn join_kinds(kinds: &[TokenKind]) -> String {
    kinds
        .iter()
        .map(|k| k.describe())
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// A malformed expression, rendered as pytest renders its `SyntaxError`:
/// `<text>: at column <column>: <message>`.
///
/// The CLI wraps it as `Wrong expression passed to '-k': ...` (see
/// [`ParseError::usage_message`]), prints `ERROR: <that>` and a blank line on stderr and
/// exits 4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: at column {column}: {kind}", text.as_deref().unwrap_or("None"))]
pub struct ParseError {
    /// The expression as given, or `None` for the errors pytest gets from Python's compiler
    /// (which carry no source line; pytest prints the literal `None`).
    pub text: Option<String>,
    /// 1-based column, counted in Unicode code points as Python counts `str` indices.
    pub column: usize,
    /// What went wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    fn at(input: &str, pos: usize, kind: ParseErrorKind) -> Self {
        ParseError {
            text: Some(input.to_owned()),
            column: pos + 1,
            kind,
        }
    }

    fn compiler(kind: ParseErrorKind) -> Self {
        ParseError {
            text: None,
            column: 1,
            kind,
        }
    }

    /// The full usage-error message for `option` (`"-k"` or `"-m"`), e.g.
    /// `Wrong expression passed to '-k': a and: at column 6: expected not OR left
    /// parenthesis OR identifier; got end of input`.
    pub fn usage_message(&self, option: &str) -> String {
        format!("Wrong expression passed to '{option}': {self}")
    }
}

/// One token; `pos` is its code-point offset in the input.
#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    value: String,
    pos: usize,
}

/// A lazy scanner: like pytest's generator-based one, it lexes a token only when the
/// previous one is consumed, so lexing errors past a parse error never surface.
struct Scanner<'a> {
    input: &'a str,
    chars: Vec<char>,
    /// Where lexing resumes (code points).
    next_pos: usize,
    current: Token,
}

impl<'a> Scanner<'a> {
    fn new(input: &'a str) -> Result<Self, ParseError> {
        let mut scanner = Scanner {
            input,
            chars: input.chars().collect(),
            next_pos: 0,
            current: Token {
                kind: TokenKind::Eof,
                value: String::new(),
                pos: 0,
            },
        };
        scanner.current = scanner.lex()?;
        Ok(scanner)
    }

    fn error(&self, pos: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::at(self.input, pos, kind)
    }

    fn lex(&mut self) -> Result<Token, ParseError> {
        let chars = &self.chars;
        let mut pos = self.next_pos;
        // Only space and tab separate tokens; any other whitespace is an error.
        while pos < chars.len() && matches!(chars[pos], ' ' | '\t') {
            pos += 1;
        }
        let Some(&c) = chars.get(pos) else {
            self.next_pos = pos;
            return Ok(Token {
                kind: TokenKind::Eof,
                value: String::new(),
                pos,
            });
        };
        let single = match c {
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '=' => Some(TokenKind::Equal),
            ',' => Some(TokenKind::Comma),
            _ => None,
        };
        let (kind, len) = if let Some(kind) = single {
            (kind, 1)
        } else if c == '\'' || c == '"' {
            let Some(close) = chars[pos + 1..].iter().position(|&q| q == c) else {
                return Err(self.error(pos, ParseErrorKind::UnclosedString(c)));
            };
            let len = close + 2;
            if let Some(backslash) = chars[pos..pos + len].iter().position(|&b| b == '\\') {
                return Err(self.error(pos + backslash, ParseErrorKind::EscapeInString));
            }
            (TokenKind::Str, len)
        } else {
            let len = chars[pos..]
                .iter()
                .take_while(|&&ch| is_ident_char(ch))
                .count();
            if len == 0 {
                return Err(self.error(pos, ParseErrorKind::UnexpectedCharacter(c)));
            }
            (TokenKind::Ident, len)
        };
        let value: String = chars[pos..pos + len].iter().collect();
        let kind = match (kind, value.as_str()) {
            (TokenKind::Ident, "or") => TokenKind::Or,
            (TokenKind::Ident, "and") => TokenKind::And,
            (TokenKind::Ident, "not") => TokenKind::Not,
            (kind, _) => kind,
        };
        self.next_pos = pos + len;
        Ok(Token { kind, value, pos })
    }

    /// Consumes and returns the current token if it is of `kind`. The end-of-input token is
    /// never consumed, so it can be accepted repeatedly.
    fn accept(&mut self, kind: TokenKind) -> Result<Option<Token>, ParseError> {
        if self.current.kind != kind {
            return Ok(None);
        }
        if kind == TokenKind::Eof {
            return Ok(Some(self.current.clone()));
        }
        let next = self.lex()?;
        Ok(Some(std::mem::replace(&mut self.current, next)))
    }

    /// Like [`Scanner::accept`], but a different token is an "expected X; got Y" error.
    fn expect(&mut self, kind: TokenKind) -> Result<Token, ParseError> {
        match self.accept(kind)? {
            Some(token) => Ok(token),
            None => Err(self.reject(&[kind])),
        }
    }

    fn reject(&self, expected: &[TokenKind]) -> ParseError {
        self.error(
            self.current.pos,
            ParseErrorKind::Expected {
                expected: expected.to_vec(),
                got: self.current.kind,
            },
        )
    }
}

/// Characters of an identifier token: `\w` plus `: + - . [ ] \ /`.
fn is_ident_char(c: char) -> bool {
    matches!(c, ':' | '+' | '-' | '.' | '[' | ']' | '\\' | '/') || unicode::is_word(c)
}

/// Python 3.11's `keyword.kwlist` (unchanged through 3.13; soft keywords are not in it).
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// One identifier of the expression, with its keyword arguments when written as a call.
#[derive(Debug, Clone, PartialEq)]
struct Leaf {
    name: String,
    kwargs: Option<Vec<(String, MarkValue)>>,
}

/// An instruction of a compiled expression. The program is flat, like CPython's bytecode
/// for the same expression, so neither evaluating nor dropping it recurses, however deep
/// the parentheses go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Push a constant (the value of a blank expression).
    Const(bool),
    /// Push the matcher's answer for `leaves[i]`.
    Match(usize),
    /// Negate the top of the stack.
    Not,
    /// `and`: if the top is false, jump to the target keeping it; otherwise pop it.
    JumpIfFalseOrPop(usize),
    /// `or`: if the top is true, jump to the target keeping it; otherwise pop it.
    JumpIfTrueOrPop(usize),
}

/// Parser state for one `expr` being read: the top level, or one parenthesised group.
#[derive(Debug, Default)]
struct Group {
    /// `or` jumps to patch to the end of this `expr`.
    or_jumps: Vec<usize>,
    /// `and` jumps to patch to the end of the current `and_expr`.
    and_jumps: Vec<usize>,
    /// Whether an odd number of `not`s preceded the `(` that opened this group.
    negated: bool,
}

/// The parser. It follows the grammar's recursive descent step for step (the same tokens
/// are accepted in the same order, so errors are pytest's), but a `(` pushes a [`Group`]
/// on an explicit stack instead of recursing: pytest overflows Python's stack at about 330
/// nested parentheses, and recursing here would overflow a thread's stack not far above.
struct Parser<'a> {
    scanner: Scanner<'a>,
    code: Vec<Op>,
    leaves: Vec<Leaf>,
    /// Keyword-name lists of every call, in source order, for the compiler-stage checks.
    calls: Vec<Vec<String>>,
}

impl Parser<'_> {
    /// `expr EOF`, for an input that is not blank.
    fn expression(&mut self) -> Result<(), ParseError> {
        let mut groups = vec![Group::default()];
        loop {
            // not_expr: a run of `not`s, folded to its parity (`not not x` is `x` in value
            // and in which identifiers get evaluated) ...
            let mut negated = false;
            while self.scanner.accept(TokenKind::Not)?.is_some() {
                negated = !negated;
            }
            // ... then `(` expr `)`, whose end is handled below, or `ident kwargs?`.
            if self.scanner.accept(TokenKind::LParen)?.is_some() {
                groups.push(Group {
                    negated,
                    ..Group::default()
                });
                continue;
            }
            self.ident()?;
            if negated {
                self.code.push(Op::Not);
            }
            // An operand is complete: continue its `and_expr`, or close the `and_expr`, the
            // `expr` and possibly the group, which completes an operand one level up.
            loop {
                let Some(group) = groups.last_mut() else {
                    return Ok(());
                };
                if self.scanner.accept(TokenKind::And)?.is_some() {
                    group.and_jumps.push(self.code.len());
                    self.code.push(Op::JumpIfFalseOrPop(0));
                    break;
                }
                patch(&mut self.code, &mut group.and_jumps);
                if self.scanner.accept(TokenKind::Or)?.is_some() {
                    group.or_jumps.push(self.code.len());
                    self.code.push(Op::JumpIfTrueOrPop(0));
                    break;
                }
                patch(&mut self.code, &mut group.or_jumps);
                let negated = group.negated;
                groups.pop();
                if groups.is_empty() {
                    self.scanner.expect(TokenKind::Eof)?;
                    return Ok(());
                }
                self.scanner.expect(TokenKind::RParen)?;
                if negated {
                    self.code.push(Op::Not);
                }
            }
        }
    }

    /// `ident kwargs?`, or the error for a missing operand.
    fn ident(&mut self) -> Result<(), ParseError> {
        let Some(ident) = self.scanner.accept(TokenKind::Ident)? else {
            let expected = [TokenKind::Not, TokenKind::LParen, TokenKind::Ident];
            return Err(self.scanner.reject(&expected));
        };
        let kwargs = if self.scanner.accept(TokenKind::LParen)?.is_some() {
            let kwargs = self.all_kwargs()?;
            self.scanner.expect(TokenKind::RParen)?;
            self.calls
                .push(kwargs.iter().map(|(name, _)| name.clone()).collect());
            Some(kwargs)
        } else {
            None
        };
        self.code.push(Op::Match(self.leaves.len()));
        self.leaves.push(Leaf {
            name: ident.value,
            kwargs,
        });
        Ok(())
    }

    fn all_kwargs(&mut self) -> Result<Vec<(String, MarkValue)>, ParseError> {
        let mut kwargs = vec![self.single_kwarg()?];
        while self.scanner.accept(TokenKind::Comma)?.is_some() {
            kwargs.push(self.single_kwarg()?);
        }
        Ok(kwargs)
    }

    fn single_kwarg(&mut self) -> Result<(String, MarkValue), ParseError> {
        let name = self.scanner.expect(TokenKind::Ident)?;
        if !unicode::is_identifier(&name.value) {
            let kind = ParseErrorKind::InvalidKeywordName(name.value);
            return Err(self.scanner.error(name.pos, kind));
        }
        if PYTHON_KEYWORDS.contains(&name.value.as_str()) {
            let kind = ParseErrorKind::ReservedKeyword(name.value);
            return Err(self.scanner.error(name.pos, kind));
        }
        self.scanner.expect(TokenKind::Equal)?;
        if let Some(string) = self.scanner.accept(TokenKind::Str)? {
            // The token includes both quotes, which are single code points.
            let mut chars = string.value.chars();
            chars.next();
            chars.next_back();
            return Ok((name.value, MarkValue::Str(chars.as_str().to_owned())));
        }
        let token = self.scanner.expect(TokenKind::Ident)?;
        let value = match token.value.as_str() {
            "True" => MarkValue::Bool(true),
            "False" => MarkValue::Bool(false),
            "None" => MarkValue::None,
            text => match parse_int(text) {
                Some(Ok(value)) => value,
                Some(Err(kind)) => return Err(self.scanner.error(token.pos, kind)),
                None => {
                    let kind = ParseErrorKind::InvalidValue(token.value);
                    return Err(self.scanner.error(token.pos, kind));
                }
            },
        };
        Ok((name.value, value))
    }
}

/// Points the pending jumps at the next instruction to be emitted.
fn patch(code: &mut [Op], jumps: &mut Vec<usize>) {
    let target = code.len();
    for at in jumps.drain(..) {
        if let Some(Op::JumpIfFalseOrPop(t) | Op::JumpIfTrueOrPop(t)) = code.get_mut(at) {
            *t = target;
        }
    }
}

/// pytest's integer rule: `s.isdigit()` or `-` followed by `isdigit()`, then `int(s)`.
///
/// `None` when the text is not an integer at all; `Some(Err)` when `isdigit()` accepts it
/// but `int()` would not. An integer outside `i64` can never equal a value discovery
/// records, so it becomes [`MarkValue::Opaque`].
fn parse_int(text: &str) -> Option<Result<MarkValue, ParseErrorKind>> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(unicode::is_digit) {
        return None;
    }
    let mut value: Option<i64> = Some(0);
    for c in digits.chars() {
        let Some(d) = unicode::decimal_value(c) else {
            return Some(Err(ParseErrorKind::InvalidIntLiteral(text.to_owned())));
        };
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_sub(i64::from(d)));
    }
    // Accumulated as a negative number so that i64::MIN fits.
    let value = if text.starts_with('-') {
        value
    } else {
        value.and_then(i64::checked_neg)
    };
    Some(Ok(value.map_or(MarkValue::Opaque, MarkValue::Int)))
}

/// The checks Python's compiler makes on each call's keywords, in the order it makes them:
/// calls in source order; per keyword, `__debug__` first, then a later repeat of it.
fn compiler_checks(calls: &[Vec<String>]) -> Result<(), ParseError> {
    for names in calls {
        for (i, name) in names.iter().enumerate() {
            if name == "__debug__" {
                return Err(ParseError::compiler(ParseErrorKind::AssignToDebug));
            }
            if names[i + 1..].contains(name) {
                let kind = ParseErrorKind::RepeatedKeyword(name.clone());
                return Err(ParseError::compiler(kind));
            }
        }
    }
    Ok(())
}

/// The keyword arguments of an identifier written as a call (`device(serial='1')`), in
/// source order, as the matcher receives them.
pub type Kwargs = [(String, MarkValue)];

/// A compiled `-k` / `-m` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    input: String,
    code: Vec<Op>,
    leaves: Vec<Leaf>,
}

impl Expression {
    /// Parses `input`.
    ///
    /// An empty or blank (spaces and tabs only) input compiles to an expression that matches
    /// everything. (pytest's own `Expression` makes it match nothing; only `-m " "` can
    /// reach that, and [`super::compile_option`] reproduces it.)
    pub fn compile(input: &str) -> Result<Expression, ParseError> {
        Self::compile_with_empty(input, true)
    }

    /// Parses `input`; a blank input evaluates to `empty`.
    pub(super) fn compile_with_empty(input: &str, empty: bool) -> Result<Expression, ParseError> {
        let mut parser = Parser {
            scanner: Scanner::new(input)?,
            code: Vec::new(),
            leaves: Vec::new(),
            calls: Vec::new(),
        };
        if parser.scanner.accept(TokenKind::Eof)?.is_some() {
            parser.code.push(Op::Const(empty));
        } else {
            parser.expression()?;
        }
        compiler_checks(&parser.calls)?;
        Ok(Expression {
            input: input.to_owned(),
            code: parser.code,
            leaves: parser.leaves,
        })
    }

    /// The text this expression was compiled from.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Whether the expression has no identifiers (blank input).
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// The distinct identifiers the expression names (not keyword-argument names or
    /// values), sorted as Python sorts strings (by code point). `-m` checks these against
    /// the registered markers under `--strict-markers`.
    pub fn idents(&self) -> Vec<&str> {
        let mut idents: Vec<&str> = self.leaves.iter().map(|leaf| leaf.name.as_str()).collect();
        idents.sort_unstable();
        idents.dedup();
        idents
    }

    /// Evaluates the expression. `matcher(ident, kwargs)` says whether one identifier
    /// matches; `kwargs` is `None` for a bare identifier and the call's keyword arguments
    /// (in source order) otherwise. `and`/`or` short-circuit left to right as in Python, so
    /// the matcher is not called for operands whose value cannot change the result.
    pub fn evaluate(&self, matcher: &mut dyn FnMut(&str, Option<&Kwargs>) -> bool) -> bool {
        let result: Result<bool, std::convert::Infallible> =
            self.try_evaluate(|name, kwargs| Ok(matcher(name, kwargs)));
        match result {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// [`Expression::evaluate`] with a fallible matcher: the first error stops evaluation,
    /// like an exception raised from pytest's matcher.
    pub fn try_evaluate<E, F>(&self, mut matcher: F) -> Result<bool, E>
    where
        F: FnMut(&str, Option<&Kwargs>) -> Result<bool, E>,
    {
        let mut stack: Vec<bool> = Vec::new();
        let mut pc = 0;
        while let Some(&op) = self.code.get(pc) {
            pc += 1;
            match op {
                Op::Const(value) => stack.push(value),
                Op::Match(index) => {
                    let value = match self.leaves.get(index) {
                        Some(leaf) => matcher(&leaf.name, leaf.kwargs.as_deref())?,
                        None => false,
                    };
                    stack.push(value);
                }
                Op::Not => {
                    if let Some(top) = stack.last_mut() {
                        *top = !*top;
                    }
                }
                Op::JumpIfFalseOrPop(target) => {
                    if stack.last() == Some(&false) {
                        pc = target;
                    } else {
                        stack.pop();
                    }
                }
                Op::JumpIfTrueOrPop(target) => {
                    if stack.last() == Some(&true) {
                        pc = target;
                    } else {
                        stack.pop();
                    }
                }
            }
        }
        // A well-formed program leaves exactly its result.
        Ok(stack.pop().unwrap_or(false))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The message pytest 9.2 prints after `ERROR: ` for `-k <input>`.
    fn k_error(input: &str) -> String {
        Expression::compile(input).unwrap_err().usage_message("-k")
    }

    /// Evaluates with a matcher that says yes to exactly the names in `truthy`.
    fn eval_with(input: &str, truthy: &[&str]) -> bool {
        let expr = Expression::compile(input).unwrap();
        expr.evaluate(&mut |name, _| truthy.contains(&name))
    }

    // Each expected string below was printed by pytest 9.2.0 on stderr for `-k <input>`.
    #[test]
    fn syntax_errors_match_pytest() {
        let cases: &[(&str, &str)] = &[
            ("and", "and: at column 1: expected not OR left parenthesis OR identifier; got and"),
            ("not", "not: at column 4: expected not OR left parenthesis OR identifier; got end of input"),
            ("or", "or: at column 1: expected not OR left parenthesis OR identifier; got or"),
            ("(", "(: at column 2: expected not OR left parenthesis OR identifier; got end of input"),
            (")", "): at column 1: expected not OR left parenthesis OR identifier; got right parenthesis"),
            ("a and", "a and: at column 6: expected not OR left parenthesis OR identifier; got end of input"),
            ("a or or b", "a or or b: at column 6: expected not OR left parenthesis OR identifier; got or"),
            ("(a", "(a: at column 3: expected right parenthesis; got end of input"),
            ("a)", "a): at column 2: expected end of input; got right parenthesis"),
            ("x and  ", "x and  : at column 8: expected not OR left parenthesis OR identifier; got end of input"),
            ("a b", "a b: at column 3: expected end of input; got identifier"),
            ("a & b", "a & b: at column 3: unexpected character \"&\""),
            ("a=b", "a=b: at column 2: expected end of input; got ="),
            ("a,b", "a,b: at column 2: expected end of input; got ,"),
            ("'a'", "'a': at column 1: expected not OR left parenthesis OR identifier; got string literal"),
            ("a(", "a(: at column 3: expected identifier; got end of input"),
            ("a()", "a(): at column 3: expected identifier; got right parenthesis"),
            ("a(x)", "a(x): at column 4: expected =; got right parenthesis"),
            ("a(x=)", "a(x=): at column 5: expected identifier; got right parenthesis"),
            ("a(1=2)", "a(1=2): at column 3: not a valid python identifier 1"),
            ("a(x-y=1)", "a(x-y=1): at column 3: not a valid python identifier x-y"),
            ("a(if=1)", "a(if=1): at column 3: unexpected reserved python keyword `if`"),
            ("a(None=1)", "a(None=1): at column 3: unexpected reserved python keyword `None`"),
            ("a(True=1)", "a(True=1): at column 3: unexpected reserved python keyword `True`"),
            ("a(and=1)", "a(and=1): at column 3: expected identifier; got and"),
            ("a(x=y)", "a(x=y): at column 5: unexpected character/s \"y\""),
            ("a(x=1.5)", "a(x=1.5): at column 5: unexpected character/s \"1.5\""),
            ("a(x=--1)", "a(x=--1): at column 5: unexpected character/s \"--1\""),
            ("a(x=+1)", "a(x=+1): at column 5: unexpected character/s \"+1\""),
            ("a(x=1_000)", "a(x=1_000): at column 5: unexpected character/s \"1_000\""),
            ("a(x='q)", "a(x='q): at column 5: closing quote \"'\" is missing"),
            ("a(x='q\\w')", "a(x='q\\w'): at column 7: escaping with \"\\\" not supported in marker expression"),
            ("a(x=\"q\" y=1)", "a(x=\"q\" y=1): at column 9: expected right parenthesis; got identifier"),
            ("a(x=1,)", "a(x=1,): at column 7: expected identifier; got right parenthesis"),
            ("a(x=1, x=2)", "None: at column 1: keyword argument repeated: x"),
            ("$", "$: at column 1: unexpected character \"$\""),
            ("a  @", "a  @: at column 4: unexpected character \"@\""),
            ("a\nb", "a\nb: at column 2: unexpected character \"\n\""),
            ("x\u{a0}", "x\u{a0}: at column 2: unexpected character \"\u{a0}\""),
            // Columns count code points, not bytes.
            ("é and", "é and: at column 6: expected not OR left parenthesis OR identifier; got end of input"),
            ("éé (", "éé (: at column 5: expected identifier; got end of input"),
            ("💩", "💩: at column 1: unexpected character \"💩\""),
        ];
        for (input, message) in cases {
            assert_eq!(
                k_error(input),
                format!("Wrong expression passed to '-k': {message}"),
                "input {input:?}"
            );
        }
    }

    // Verified with pytest's expression module on CPython 3.11, 3.12 and 3.13.
    #[test]
    fn compiler_stage_errors_follow_python_order() {
        let cases: &[(&str, &str)] = &[
            ("a(x=1,y=1,y=2,x=2)", "keyword argument repeated: x"),
            ("a(x=1,y=1,x=2,y=2)", "keyword argument repeated: x"),
            ("a(__debug__=1)", "cannot assign to __debug__"),
            ("a(x=1,__debug__=1, x=2)", "keyword argument repeated: x"),
            ("a(__debug__=1, x=1, x=2)", "cannot assign to __debug__"),
            (
                "a(x=1, y=1, __debug__=1, y=2)",
                "keyword argument repeated: y",
            ),
            (
                "a(x=1,x=2) or b(__debug__=1)",
                "keyword argument repeated: x",
            ),
            ("b(__debug__=1) or a(x=1,x=2)", "cannot assign to __debug__"),
            (
                "b(q=1) or a(x=1,y=1,y=2,x=2) or c(z=1,z=1)",
                "keyword argument repeated: x",
            ),
        ];
        for (input, message) in cases {
            let err = Expression::compile(input).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("None: at column 1: {message}"),
                "{input}"
            );
        }
        // A syntax error anywhere wins over the compiler's checks, which run after parsing.
        assert_eq!(
            Expression::compile("a(x=1,x=2) or (")
                .unwrap_err()
                .to_string(),
            "a(x=1,x=2) or (: at column 16: expected not OR left parenthesis OR identifier; \
             got end of input"
        );
    }

    #[test]
    fn scanner_is_lazy_like_pytest() {
        // The parse fails at `b` before the scanner ever reaches `&`.
        assert_eq!(
            Expression::compile("a b &").unwrap_err().to_string(),
            "a b &: at column 3: expected end of input; got identifier"
        );
        // Here `&` is lexed as soon as `a` is consumed.
        assert_eq!(
            Expression::compile("a &").unwrap_err().to_string(),
            "a &: at column 3: unexpected character \"&\""
        );
    }

    #[test]
    fn identifiers_take_pythons_word_characters() {
        for ident in [
            "test_p[1-x]",
            "c[d]",
            "d]",
            "a/b\\c:d+e.f",
            "1-x",
            "é",
            "名前",
            "١٢",
            "x²",
            "True",
            "None",
            "Or",
            "AND",
            "notslow",
        ] {
            let expr = Expression::compile(ident).unwrap();
            assert_eq!(expr.idents(), vec![ident], "{ident}");
            assert!(eval_with(ident, &[ident]));
        }
        // U+0345 (combining ypogegrammeni) has Other_Alphabetic, so Rust's
        // `is_alphanumeric` accepts it, but Python's `\w` does not.
        assert_eq!(
            Expression::compile("a\u{345}").unwrap_err().to_string(),
            "a\u{345}: at column 2: unexpected character \"\u{345}\""
        );
    }

    #[test]
    fn empty_input_matches_everything() {
        for input in ["", " ", "\t  "] {
            let expr = Expression::compile(input).unwrap();
            assert!(expr.is_empty());
            assert!(expr.idents().is_empty());
            assert!(expr.evaluate(&mut |_, _| false));
        }
    }

    #[test]
    fn boolean_semantics_and_precedence() {
        assert!(eval_with("a or b and c", &["a"]));
        assert!(!eval_with("(a or b) and c", &["a"]));
        assert!(eval_with("not a and b", &["b"]));
        assert!(!eval_with("not (a and b) and b", &["a", "b"]));
        assert!(eval_with("not not a", &["a"]));
        assert!(!eval_with("not not not a", &["a"]));
        assert!(eval_with("((a))", &["a"]));
        assert!(eval_with("a and b or c", &["c"]));
    }

    #[test]
    fn evaluation_short_circuits_left_to_right() {
        let expr = Expression::compile("a or b and c or d").unwrap();
        let mut seen = Vec::new();
        let result = expr.evaluate(&mut |name, _| {
            seen.push(name.to_owned());
            name == "d"
        });
        assert!(result);
        assert_eq!(seen, ["a", "b", "d"]);

        let failing = Expression::compile("x or y(k=1)").unwrap();
        let outcome: Result<bool, &str> = failing.try_evaluate(|name, kwargs| match kwargs {
            Some(_) => Err("kwargs"),
            None => Ok(name == "x"),
        });
        assert_eq!(outcome, Ok(true));
        let outcome: Result<bool, &str> = failing.try_evaluate(|_, kwargs| match kwargs {
            Some(_) => Err("kwargs"),
            None => Ok(false),
        });
        assert_eq!(outcome, Err("kwargs"));
    }

    #[test]
    fn kwargs_values() {
        let expr = Expression::compile(
            "dev(s='one', d=\"two\", i=3, n=-4, t=True, f=False, z=None, u=١٢, l=01, e='')",
        )
        .unwrap();
        let mut got = Vec::new();
        expr.evaluate(&mut |name, kwargs| {
            got.push((name.to_owned(), kwargs.map(<[_]>::to_vec)));
            true
        });
        let expected = vec![
            ("s".to_owned(), MarkValue::Str("one".into())),
            ("d".to_owned(), MarkValue::Str("two".into())),
            ("i".to_owned(), MarkValue::Int(3)),
            ("n".to_owned(), MarkValue::Int(-4)),
            ("t".to_owned(), MarkValue::Bool(true)),
            ("f".to_owned(), MarkValue::Bool(false)),
            ("z".to_owned(), MarkValue::None),
            ("u".to_owned(), MarkValue::Int(12)),
            ("l".to_owned(), MarkValue::Int(1)),
            ("e".to_owned(), MarkValue::Str(String::new())),
        ];
        assert_eq!(got, vec![("dev".to_owned(), Some(expected))]);
        // Whitespace around the call's pieces is fine; the kwarg names are not idents.
        let spaced = Expression::compile("a ( x = 1 , y='a b' )").unwrap();
        assert_eq!(spaced.idents(), vec!["a"]);
    }

    #[test]
    fn integer_edges() {
        assert_eq!(
            parse_int("-9223372036854775808"),
            Some(Ok(MarkValue::Int(i64::MIN)))
        );
        assert_eq!(
            parse_int("9223372036854775807"),
            Some(Ok(MarkValue::Int(i64::MAX)))
        );
        assert_eq!(
            parse_int("9223372036854775808"),
            Some(Ok(MarkValue::Opaque))
        );
        assert_eq!(parse_int("-0"), Some(Ok(MarkValue::Int(0))));
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("1a"), None);
        // `'²'.isdigit()` is true but `int('²')` raises; pytest dies with INTERNALERROR.
        assert_eq!(
            parse_int("²"),
            Some(Err(ParseErrorKind::InvalidIntLiteral("²".into())))
        );
    }

    #[test]
    fn idents_are_sorted_and_distinct() {
        let expr =
            Expression::compile("zeta or slow or (beta and device(x=True)) or slow").unwrap();
        assert_eq!(expr.idents(), vec!["beta", "device", "slow", "zeta"]);
    }

    #[test]
    fn no_nesting_limits() {
        // pytest dies with RecursionError (INTERNALERROR, exit 3) at about 330 nested
        // parentheses or 1000 chained `or`s; none of these recurse here.
        let depth = 100_000;
        let nested = format!("{}x{}", "(a or ".repeat(depth), ")".repeat(depth));
        assert!(eval_with(&nested, &["x"]));
        assert!(!eval_with(&nested, &[]));
        let parens = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
        assert!(eval_with(&parens, &["x"]));
        let nots = format!("{}x", "not ".repeat(depth + 1));
        assert!(!eval_with(&nots, &["x"]));
        let ors = vec!["x"; depth].join(" or ");
        assert!(eval_with(&ors, &["x"]));
    }

    /// A straightforward recursive evaluator over the grammar, to check the compiled
    /// program (jumps and negations) against on small expressions.
    fn reference(tokens: &[&str], pos: &mut usize, env: &dyn Fn(&str) -> bool) -> bool {
        fn and_expr(t: &[&str], pos: &mut usize, env: &dyn Fn(&str) -> bool) -> bool {
            let mut value = not_expr(t, pos, env);
            while t.get(*pos) == Some(&"and") {
                *pos += 1;
                let rhs = not_expr(t, pos, env);
                value = value && rhs;
            }
            value
        }
        fn not_expr(t: &[&str], pos: &mut usize, env: &dyn Fn(&str) -> bool) -> bool {
            let token = t[*pos];
            *pos += 1;
            match token {
                "not" => !not_expr(t, pos, env),
                "(" => {
                    let value = reference(t, pos, env);
                    *pos += 1; // ")"
                    value
                }
                ident => env(ident),
            }
        }
        let mut value = and_expr(tokens, pos, env);
        while tokens.get(*pos) == Some(&"or") {
            *pos += 1;
            let rhs = and_expr(tokens, pos, env);
            value = value || rhs;
        }
        value
    }

    /// Deterministically generated expressions over `a`, `b`, `c`.
    fn generate(seed: &mut u64, depth: u32, out: &mut Vec<&'static str>) {
        fn next(seed: &mut u64, n: u64) -> u64 {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (*seed >> 33) % n
        }
        let operands = 1 + next(seed, 3);
        for i in 0..operands {
            if i > 0 {
                out.push(if next(seed, 2) == 0 { "and" } else { "or" });
            }
            for _ in 0..next(seed, 3) {
                out.push("not");
            }
            if depth > 0 && next(seed, 3) == 0 {
                out.push("(");
                generate(seed, depth - 1, out);
                out.push(")");
            } else {
                out.push(["a", "b", "c"][usize::try_from(next(seed, 3)).unwrap()]);
            }
        }
    }

    #[test]
    fn compiled_program_agrees_with_reference_semantics() {
        let mut seed = 7;
        for _ in 0..2000 {
            let mut tokens = Vec::new();
            generate(&mut seed, 4, &mut tokens);
            let text = tokens.join(" ");
            let expr = Expression::compile(&text).unwrap();
            for bits in 0..8u8 {
                let env = |name: &str| match name {
                    "a" => bits & 1 != 0,
                    "b" => bits & 2 != 0,
                    _ => bits & 4 != 0,
                };
                let want = reference(&tokens, &mut 0, &env);
                let got = expr.evaluate(&mut |name, _| env(name));
                assert_eq!(got, want, "{text} with {bits:03b}");
            }
        }
    }
}

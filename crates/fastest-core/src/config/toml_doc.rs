//! TOML documents as pytest sees them: parsed with the acceptance rules and error messages
//! of Python's `tomllib` (TOML 1.0), into values that remember their Python type so that
//! pytest's type errors (`got int: 1`) and `str()` conversions can be reproduced.
//!
//! The `toml` crate is not used for this: it implements TOML 1.1 (accepting documents
//! `tomllib` rejects) and words and positions its errors differently, while pytest prints
//! `tomllib`'s message verbatim (`Expected ']' at the end of a table declaration (at line
//! 1, column 13)`).

use std::collections::HashMap;

use indexmap::IndexMap;

use super::pyfmt;

/// A TOML table, keys in document order (Python dicts keep insertion order).
pub(crate) type Table = IndexMap<String, TomlValue>;

/// A `datetime.date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyDate {
    pub(crate) year: u32,
    pub(crate) month: u32,
    pub(crate) day: u32,
}

/// A `datetime.time` (tomllib keeps microseconds, truncating further digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyTime {
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) micro: u32,
}

/// A `datetime.datetime`; `offset_minutes` is the UTC offset of an offset date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyDatetime {
    pub(crate) date: PyDate,
    pub(crate) time: PyTime,
    pub(crate) offset_minutes: Option<i32>,
}

/// A value decoded by `tomllib`, by Python type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TomlValue {
    Str(String),
    /// Python ints are unbounded; kept as their decimal text.
    Int(String),
    Float(f64),
    Bool(bool),
    Datetime(PyDatetime),
    Date(PyDate),
    Time(PyTime),
    Array(Vec<TomlValue>),
    Table(Table),
}

impl TomlValue {
    /// `type(value).__name__`.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            TomlValue::Str(_) => "str",
            TomlValue::Int(_) => "int",
            TomlValue::Float(_) => "float",
            TomlValue::Bool(_) => "bool",
            TomlValue::Datetime(_) => "datetime",
            TomlValue::Date(_) => "date",
            TomlValue::Time(_) => "time",
            TomlValue::Array(_) => "list",
            TomlValue::Table(_) => "dict",
        }
    }

    /// `repr(value)`.
    pub(crate) fn py_repr(&self) -> String {
        match self {
            TomlValue::Str(s) => pyfmt::repr_str(s),
            TomlValue::Int(i) => i.clone(),
            TomlValue::Float(f) => pyfmt::repr_float(*f),
            TomlValue::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            TomlValue::Date(d) => format!("datetime.date({}, {}, {})", d.year, d.month, d.day),
            TomlValue::Time(t) => format!("datetime.time({})", time_repr_args(t)),
            TomlValue::Datetime(dt) => {
                let d = dt.date;
                let mut s = format!(
                    "datetime.datetime({}, {}, {}, {}",
                    d.year,
                    d.month,
                    d.day,
                    time_repr_args(&dt.time)
                );
                if let Some(off) = dt.offset_minutes {
                    s.push_str(", tzinfo=");
                    s.push_str(&timezone_repr(off));
                }
                s.push(')');
                s
            }
            TomlValue::Array(items) => {
                let parts: Vec<String> = items.iter().map(TomlValue::py_repr).collect();
                format!("[{}]", parts.join(", "))
            }
            TomlValue::Table(t) => {
                let parts: Vec<String> = t
                    .iter()
                    .map(|(k, v)| format!("{}: {}", pyfmt::repr_str(k), v.py_repr()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    /// `str(value)`.
    pub(crate) fn py_str(&self) -> String {
        match self {
            TomlValue::Str(s) => s.clone(),
            TomlValue::Date(d) => date_str(d),
            TomlValue::Time(t) => time_str(t),
            TomlValue::Datetime(dt) => {
                let mut s = format!("{} {}", date_str(&dt.date), time_str(&dt.time));
                if let Some(off) = dt.offset_minutes {
                    let sign = if off < 0 { '-' } else { '+' };
                    let a = off.unsigned_abs();
                    s.push_str(&format!("{sign}{:02}:{:02}", a / 60, a % 60));
                }
                s
            }
            other => other.py_repr(),
        }
    }
}

fn date_str(d: &PyDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn time_str(t: &PyTime) -> String {
    let mut s = format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
    if t.micro != 0 {
        s.push_str(&format!(".{:06}", t.micro));
    }
    s
}

/// The time arguments of a `datetime`/`time` repr: trailing zero microseconds, then zero
/// seconds, are left out.
fn time_repr_args(t: &PyTime) -> String {
    if t.micro != 0 {
        format!("{}, {}, {}, {}", t.hour, t.minute, t.second, t.micro)
    } else if t.second != 0 {
        format!("{}, {}, {}", t.hour, t.minute, t.second)
    } else {
        format!("{}, {}", t.hour, t.minute)
    }
}

/// `repr()` of the `datetime.timezone` tomllib builds for an offset.
fn timezone_repr(offset_minutes: i32) -> String {
    if offset_minutes == 0 {
        return "datetime.timezone.utc".to_string();
    }
    let seconds = i64::from(offset_minutes) * 60;
    // timedelta normalises to non-negative seconds with negative days.
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let delta = if days != 0 {
        format!("datetime.timedelta(days={days}, seconds={secs})")
    } else {
        format!("datetime.timedelta(seconds={secs})")
    };
    format!("datetime.timezone({delta})")
}

/// A document `tomllib` rejects: its message with the `(at line L, column C)` suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TomlError {
    pub(crate) message: String,
}

type PResult<T> = Result<T, TomlError>;

const FROZEN: u8 = 1;
const EXPLICIT_NEST: u8 = 2;

/// Per-key bookkeeping of which tables are closed to further definition.
#[derive(Default)]
struct FlagNode {
    flags: u8,
    recursive: u8,
    nested: HashMap<String, FlagNode>,
}

#[derive(Default)]
struct Flags {
    root: HashMap<String, FlagNode>,
    pending: Vec<(Vec<String>, u8)>,
}

impl Flags {
    fn add_pending(&mut self, key: Vec<String>, flag: u8) {
        self.pending.push((key, flag));
    }

    fn finalize_pending(&mut self) {
        for (key, flag) in std::mem::take(&mut self.pending) {
            self.set(&key, flag, false);
        }
    }

    fn unset_all(&mut self, key: &[String]) {
        let Some((stem, parent)) = key.split_last() else {
            return;
        };
        let mut cont = &mut self.root;
        for k in parent {
            match cont.get_mut(k) {
                Some(node) => cont = &mut node.nested,
                None => return,
            }
        }
        cont.remove(stem);
    }

    fn set(&mut self, key: &[String], flag: u8, recursive: bool) {
        let Some((stem, parent)) = key.split_last() else {
            return;
        };
        let mut cont = &mut self.root;
        for k in parent {
            cont = &mut cont.entry(k.clone()).or_default().nested;
        }
        let node = cont.entry(stem.clone()).or_default();
        if recursive {
            node.recursive |= flag;
        } else {
            node.flags |= flag;
        }
    }

    fn is(&self, key: &[String], flag: u8) -> bool {
        let Some((stem, parent)) = key.split_last() else {
            return false;
        };
        let mut cont = &self.root;
        for k in parent {
            let Some(node) = cont.get(k) else {
                return false;
            };
            if node.recursive & flag != 0 {
                return true;
            }
            cont = &node.nested;
        }
        cont.get(stem)
            .is_some_and(|n| (n.flags | n.recursive) & flag != 0)
    }
}

/// The table at `key`, created on the way; with `access_lists` an array of tables stands
/// for its last element. `Err` when a non-table value is in the way.
fn get_or_create_nest<'a>(
    root: &'a mut Table,
    key: &[String],
    access_lists: bool,
) -> Result<&'a mut Table, ()> {
    let mut cont = root;
    for k in key {
        let mut entry = cont
            .entry(k.clone())
            .or_insert_with(|| TomlValue::Table(Table::new()));
        if access_lists {
            if let TomlValue::Array(items) = entry {
                entry = items.last_mut().ok_or(())?;
            }
        }
        match entry {
            TomlValue::Table(t) => cont = t,
            _ => return Err(()),
        }
    }
    Ok(cont)
}

fn append_nest_to_list(root: &mut Table, key: &[String]) -> Result<(), ()> {
    let Some((last, parent)) = key.split_last() else {
        return Err(());
    };
    let cont = get_or_create_nest(root, parent, true)?;
    match cont.get_mut(last) {
        Some(TomlValue::Array(items)) => {
            items.push(TomlValue::Table(Table::new()));
            Ok(())
        }
        Some(_) => Err(()),
        None => {
            cont.insert(
                last.clone(),
                TomlValue::Array(vec![TomlValue::Table(Table::new())]),
            );
            Ok(())
        }
    }
}

/// Python's repr of a key tuple: `('a',)`, `('a', 'b')`.
fn key_repr(key: &[String]) -> String {
    let parts: Vec<String> = key.iter().map(|k| pyfmt::repr_str(k)).collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

fn is_ascii_ctrl(c: char) -> bool {
    (c as u32) < 32 || c as u32 == 127
}

fn illegal_basic(c: char) -> bool {
    is_ascii_ctrl(c) && c != '\t'
}

fn illegal_multiline(c: char) -> bool {
    is_ascii_ctrl(c) && c != '\t' && c != '\n'
}

fn is_bare_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn is_toml_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_toml_ws_nl(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\n'
}

struct Parser {
    src: Vec<char>,
}

impl Parser {
    fn at(&self, pos: usize) -> Option<char> {
        self.src.get(pos).copied()
    }

    fn starts_with(&self, pos: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.at(pos + i) == Some(c))
    }

    fn slice(&self, from: usize, to: usize) -> String {
        let to = to.min(self.src.len());
        if from >= to {
            return String::new();
        }
        self.src[from..to].iter().collect()
    }

    fn err(&self, pos: usize, msg: impl Into<String>) -> TomlError {
        let msg = msg.into();
        let coord = if pos >= self.src.len() {
            "end of document".to_string()
        } else {
            let before = &self.src[..pos];
            let line = before.iter().filter(|&&c| c == '\n').count() + 1;
            let column = match before.iter().rposition(|&c| c == '\n') {
                Some(nl) => pos - nl,
                None => pos + 1,
            };
            format!("line {line}, column {column}")
        };
        TomlError {
            message: format!("{msg} (at {coord})"),
        }
    }

    fn skip_chars(&self, mut pos: usize, pred: fn(char) -> bool) -> usize {
        while self.at(pos).is_some_and(pred) {
            pos += 1;
        }
        pos
    }

    fn find(&self, pos: usize, expect: &str) -> Option<usize> {
        (pos..self.src.len()).find(|&p| self.starts_with(p, expect))
    }

    fn skip_until(
        &self,
        pos: usize,
        expect: &str,
        error_on: fn(char) -> bool,
        error_on_eof: bool,
    ) -> PResult<usize> {
        let new_pos = match self.find(pos, expect) {
            Some(p) => p,
            None => {
                let end = self.src.len();
                if error_on_eof {
                    return Err(self.err(end, format!("Expected {}", pyfmt::repr_str(expect))));
                }
                end
            }
        };
        if let Some(bad) = (pos..new_pos).find(|&p| self.at(p).is_some_and(error_on)) {
            let c = self.at(bad).unwrap_or(' ');
            return Err(self.err(
                bad,
                format!(
                    "Found invalid character {}",
                    pyfmt::repr_str(&c.to_string())
                ),
            ));
        }
        Ok(new_pos)
    }

    fn skip_comment(&self, pos: usize) -> PResult<usize> {
        if self.at(pos) == Some('#') {
            return self.skip_until(pos + 1, "\n", illegal_basic, false);
        }
        Ok(pos)
    }

    fn skip_comments_and_array_ws(&self, mut pos: usize) -> PResult<usize> {
        loop {
            let before = pos;
            pos = self.skip_chars(pos, is_toml_ws_nl);
            pos = self.skip_comment(pos)?;
            if pos == before {
                return Ok(pos);
            }
        }
    }

    fn parse_document(&self) -> PResult<Table> {
        let mut data = Table::new();
        let mut flags = Flags::default();
        let mut header: Vec<String> = Vec::new();
        let mut pos = 0usize;
        loop {
            pos = self.skip_chars(pos, is_toml_ws);
            let Some(c) = self.at(pos) else { break };
            if c == '\n' {
                pos += 1;
                continue;
            }
            if is_bare_key_char(c) || c == '"' || c == '\'' {
                pos = self.key_value_rule(pos, &mut data, &mut flags, &header)?;
                pos = self.skip_chars(pos, is_toml_ws);
            } else if c == '[' {
                flags.finalize_pending();
                let (p, key) = if self.at(pos + 1) == Some('[') {
                    self.create_list_rule(pos, &mut data, &mut flags)?
                } else {
                    self.create_dict_rule(pos, &mut data, &mut flags)?
                };
                header = key;
                pos = self.skip_chars(p, is_toml_ws);
            } else if c != '#' {
                return Err(self.err(pos, "Invalid statement"));
            }
            pos = self.skip_comment(pos)?;
            let Some(c) = self.at(pos) else { break };
            if c != '\n' {
                return Err(self.err(pos, "Expected newline or end of document after a statement"));
            }
            pos += 1;
        }
        Ok(data)
    }

    fn create_dict_rule(
        &self,
        pos: usize,
        data: &mut Table,
        flags: &mut Flags,
    ) -> PResult<(usize, Vec<String>)> {
        let pos = self.skip_chars(pos + 1, is_toml_ws);
        let (pos, key) = self.parse_key(pos)?;
        if flags.is(&key, EXPLICIT_NEST) || flags.is(&key, FROZEN) {
            return Err(self.err(pos, format!("Cannot declare {} twice", key_repr(&key))));
        }
        flags.set(&key, EXPLICIT_NEST, false);
        if get_or_create_nest(data, &key, true).is_err() {
            return Err(self.err(pos, "Cannot overwrite a value"));
        }
        if !self.starts_with(pos, "]") {
            return Err(self.err(pos, "Expected ']' at the end of a table declaration"));
        }
        Ok((pos + 1, key))
    }

    fn create_list_rule(
        &self,
        pos: usize,
        data: &mut Table,
        flags: &mut Flags,
    ) -> PResult<(usize, Vec<String>)> {
        let pos = self.skip_chars(pos + 2, is_toml_ws);
        let (pos, key) = self.parse_key(pos)?;
        if flags.is(&key, FROZEN) {
            return Err(self.err(
                pos,
                format!("Cannot mutate immutable namespace {}", key_repr(&key)),
            ));
        }
        // The new array element starts with a clean slate, but the key itself still
        // cannot be declared with `[key]`.
        flags.unset_all(&key);
        flags.set(&key, EXPLICIT_NEST, false);
        if append_nest_to_list(data, &key).is_err() {
            return Err(self.err(pos, "Cannot overwrite a value"));
        }
        if !self.starts_with(pos, "]]") {
            return Err(self.err(pos, "Expected ']]' at the end of an array declaration"));
        }
        Ok((pos + 2, key))
    }

    fn key_value_rule(
        &self,
        pos: usize,
        data: &mut Table,
        flags: &mut Flags,
        header: &[String],
    ) -> PResult<usize> {
        let (pos, key, value) = self.parse_key_value_pair(pos)?;
        let Some((stem, key_parent)) = key.split_last() else {
            return Err(self.err(pos, "Invalid statement"));
        };
        let mut abs_parent: Vec<String> = header.to_vec();
        abs_parent.extend_from_slice(key_parent);
        for i in 1..key.len() {
            let mut cont_key = header.to_vec();
            cont_key.extend_from_slice(&key[..i]);
            if flags.is(&cont_key, EXPLICIT_NEST) {
                return Err(self.err(
                    pos,
                    format!("Cannot redefine namespace {}", key_repr(&cont_key)),
                ));
            }
            flags.add_pending(cont_key, EXPLICIT_NEST);
        }
        if flags.is(&abs_parent, FROZEN) {
            return Err(self.err(
                pos,
                format!(
                    "Cannot mutate immutable namespace {}",
                    key_repr(&abs_parent)
                ),
            ));
        }
        let Ok(nest) = get_or_create_nest(data, &abs_parent, true) else {
            return Err(self.err(pos, "Cannot overwrite a value"));
        };
        if nest.contains_key(stem) {
            return Err(self.err(pos, "Cannot overwrite a value"));
        }
        if matches!(value, TomlValue::Table(_) | TomlValue::Array(_)) {
            let mut full = header.to_vec();
            full.extend_from_slice(&key);
            flags.set(&full, FROZEN, true);
        }
        nest.insert(stem.clone(), value);
        Ok(pos)
    }

    fn parse_key_value_pair(&self, pos: usize) -> PResult<(usize, Vec<String>, TomlValue)> {
        let (pos, key) = self.parse_key(pos)?;
        if self.at(pos) != Some('=') {
            return Err(self.err(pos, "Expected '=' after a key in a key/value pair"));
        }
        let pos = self.skip_chars(pos + 1, is_toml_ws);
        let (pos, value) = self.parse_value(pos)?;
        Ok((pos, key, value))
    }

    fn parse_key(&self, pos: usize) -> PResult<(usize, Vec<String>)> {
        let (pos, part) = self.parse_key_part(pos)?;
        let mut key = vec![part];
        let mut pos = self.skip_chars(pos, is_toml_ws);
        while self.at(pos) == Some('.') {
            pos = self.skip_chars(pos + 1, is_toml_ws);
            let (p, part) = self.parse_key_part(pos)?;
            key.push(part);
            pos = self.skip_chars(p, is_toml_ws);
        }
        Ok((pos, key))
    }

    fn parse_key_part(&self, pos: usize) -> PResult<(usize, String)> {
        match self.at(pos) {
            Some(c) if is_bare_key_char(c) => {
                let end = self.skip_chars(pos, is_bare_key_char);
                Ok((end, self.slice(pos, end)))
            }
            Some('\'') => self.parse_literal_str(pos),
            Some('"') => self.parse_basic_str(pos + 1, false),
            _ => Err(self.err(pos, "Invalid initial character for a key part")),
        }
    }

    fn parse_array(&self, pos: usize) -> PResult<(usize, TomlValue)> {
        let mut items = Vec::new();
        let mut pos = self.skip_comments_and_array_ws(pos + 1)?;
        if self.starts_with(pos, "]") {
            return Ok((pos + 1, TomlValue::Array(items)));
        }
        loop {
            let (p, v) = self.parse_value(pos)?;
            items.push(v);
            pos = self.skip_comments_and_array_ws(p)?;
            match self.at(pos) {
                Some(']') => return Ok((pos + 1, TomlValue::Array(items))),
                Some(',') => {}
                _ => return Err(self.err(pos, "Unclosed array")),
            }
            pos = self.skip_comments_and_array_ws(pos + 1)?;
            if self.starts_with(pos, "]") {
                return Ok((pos + 1, TomlValue::Array(items)));
            }
        }
    }

    fn parse_inline_table(&self, pos: usize) -> PResult<(usize, TomlValue)> {
        let mut table = Table::new();
        let mut flags = Flags::default();
        let mut pos = self.skip_chars(pos + 1, is_toml_ws);
        if self.starts_with(pos, "}") {
            return Ok((pos + 1, TomlValue::Table(table)));
        }
        loop {
            let (p, key, value) = self.parse_key_value_pair(pos)?;
            pos = p;
            let Some((stem, parent)) = key.split_last() else {
                return Err(self.err(pos, "Invalid initial character for a key part"));
            };
            if flags.is(&key, FROZEN) {
                return Err(self.err(
                    pos,
                    format!("Cannot mutate immutable namespace {}", key_repr(&key)),
                ));
            }
            let Ok(nest) = get_or_create_nest(&mut table, parent, false) else {
                return Err(self.err(pos, "Cannot overwrite a value"));
            };
            if nest.contains_key(stem) {
                return Err(self.err(
                    pos,
                    format!("Duplicate inline table key {}", pyfmt::repr_str(stem)),
                ));
            }
            let is_container = matches!(value, TomlValue::Table(_) | TomlValue::Array(_));
            nest.insert(stem.clone(), value);
            pos = self.skip_chars(pos, is_toml_ws);
            match self.at(pos) {
                Some('}') => return Ok((pos + 1, TomlValue::Table(table))),
                Some(',') => {}
                _ => return Err(self.err(pos, "Unclosed inline table")),
            }
            if is_container {
                flags.set(&key, FROZEN, true);
            }
            pos = self.skip_chars(pos + 1, is_toml_ws);
        }
    }

    fn parse_escape(&self, pos: usize, multiline: bool) -> PResult<(usize, String)> {
        let second = self.at(pos + 1);
        let pos = pos + 2;
        if multiline && matches!(second, Some(' ' | '\t' | '\n')) {
            // A line-ending backslash swallows the newline and following whitespace.
            let mut pos = pos;
            if second != Some('\n') {
                pos = self.skip_chars(pos, is_toml_ws);
                match self.at(pos) {
                    None => return Ok((pos, String::new())),
                    Some('\n') => pos += 1,
                    Some(_) => return Err(self.err(pos, "Unescaped '\\' in a string")),
                }
            }
            return Ok((self.skip_chars(pos, is_toml_ws_nl), String::new()));
        }
        let simple = match second {
            Some('u') => return self.parse_hex_char(pos, 4),
            Some('U') => return self.parse_hex_char(pos, 8),
            Some('b') => '\u{8}',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('f') => '\u{c}',
            Some('r') => '\r',
            Some('"') => '"',
            Some('\\') => '\\',
            _ => return Err(self.err(pos, "Unescaped '\\' in a string")),
        };
        Ok((pos, simple.to_string()))
    }

    fn parse_hex_char(&self, pos: usize, len: usize) -> PResult<(usize, String)> {
        let hex = self.slice(pos, pos + len);
        if hex.chars().count() != len || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(self.err(pos, "Invalid hex value"));
        }
        let pos = pos + len;
        let code = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
        match char::from_u32(code) {
            Some(c) => Ok((pos, c.to_string())),
            None => Err(self.err(pos, "Escaped character is not a Unicode scalar value")),
        }
    }

    fn parse_literal_str(&self, pos: usize) -> PResult<(usize, String)> {
        let start = pos + 1;
        let end = self.skip_until(start, "'", illegal_basic, true)?;
        Ok((end + 1, self.slice(start, end)))
    }

    fn parse_multiline_str(&self, pos: usize, literal: bool) -> PResult<(usize, TomlValue)> {
        let mut pos = pos + 3;
        if self.at(pos) == Some('\n') {
            pos += 1;
        }
        let (mut pos, mut result, delim) = if literal {
            let end = self.skip_until(pos, "'''", illegal_multiline, true)?;
            (end + 3, self.slice(pos, end), '\'')
        } else {
            let (p, s) = self.parse_basic_str(pos, true)?;
            (p, s, '"')
        };
        // Up to two quote characters right before the closing delimiter belong to the
        // string.
        for _ in 0..2 {
            if self.at(pos) != Some(delim) {
                break;
            }
            result.push(delim);
            pos += 1;
        }
        Ok((pos, TomlValue::Str(result)))
    }

    fn parse_basic_str(&self, mut pos: usize, multiline: bool) -> PResult<(usize, String)> {
        let illegal = if multiline {
            illegal_multiline
        } else {
            illegal_basic
        };
        let mut result = String::new();
        let mut start = pos;
        loop {
            let Some(c) = self.at(pos) else {
                return Err(self.err(pos, "Unterminated string"));
            };
            if c == '"' {
                if !multiline {
                    result.push_str(&self.slice(start, pos));
                    return Ok((pos + 1, result));
                }
                if self.starts_with(pos, "\"\"\"") {
                    result.push_str(&self.slice(start, pos));
                    return Ok((pos + 3, result));
                }
                pos += 1;
                continue;
            }
            if c == '\\' {
                result.push_str(&self.slice(start, pos));
                let (p, esc) = self.parse_escape(pos, multiline)?;
                result.push_str(&esc);
                pos = p;
                start = pos;
                continue;
            }
            if illegal(c) {
                return Err(self.err(
                    pos,
                    format!("Illegal character {}", pyfmt::repr_str(&c.to_string())),
                ));
            }
            pos += 1;
        }
    }

    fn parse_value(&self, pos: usize) -> PResult<(usize, TomlValue)> {
        match self.at(pos) {
            Some('"') => {
                if self.starts_with(pos, "\"\"\"") {
                    return self.parse_multiline_str(pos, false);
                }
                let (p, s) = self.parse_basic_str(pos + 1, false)?;
                return Ok((p, TomlValue::Str(s)));
            }
            Some('\'') => {
                if self.starts_with(pos, "'''") {
                    return self.parse_multiline_str(pos, true);
                }
                let (p, s) = self.parse_literal_str(pos)?;
                return Ok((p, TomlValue::Str(s)));
            }
            Some('t') if self.starts_with(pos, "true") => {
                return Ok((pos + 4, TomlValue::Bool(true)));
            }
            Some('f') if self.starts_with(pos, "false") => {
                return Ok((pos + 5, TomlValue::Bool(false)));
            }
            Some('[') => return self.parse_array(pos),
            Some('{') => return self.parse_inline_table(pos),
            _ => {}
        }
        if let Some((end, value)) = self.match_datetime(pos) {
            return match value {
                Some(v) => Ok((end, v)),
                None => Err(self.err(pos, "Invalid date or datetime")),
            };
        }
        if let Some((end, t)) = self.match_time(pos) {
            return Ok((end, TomlValue::Time(t)));
        }
        if let Some((end, v)) = self.match_number(pos) {
            return Ok((end, v));
        }
        for special in ["inf", "nan"] {
            if self.starts_with(pos, special) {
                return Ok((pos + 3, TomlValue::Float(special_float(special))));
            }
        }
        for special in ["-inf", "+inf", "-nan", "+nan"] {
            if self.starts_with(pos, special) {
                return Ok((pos + 4, TomlValue::Float(special_float(special))));
            }
        }
        Err(self.err(pos, "Invalid value"))
    }

    /// `n` ASCII digits at `pos`, as a number.
    fn digits(&self, pos: usize, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for i in 0..n {
            // `to_digit(10)` only accepts ASCII digits, as the `[0-9]` of tomllib does.
            v = v * 10 + self.at(pos + i)?.to_digit(10)?;
        }
        Some(v)
    }

    /// `HH:MM:SS(.ffffff…)?` with tomllib's ranges; returns the end and the time.
    fn match_time(&self, pos: usize) -> Option<(usize, PyTime)> {
        let hour = self.digits(pos, 2).filter(|h| *h <= 23)?;
        if self.at(pos + 2) != Some(':') {
            return None;
        }
        let minute = self.digits(pos + 3, 2).filter(|m| *m <= 59)?;
        if self.at(pos + 5) != Some(':') {
            return None;
        }
        let second = self.digits(pos + 6, 2).filter(|s| *s <= 59)?;
        let mut end = pos + 8;
        let mut micro = 0u32;
        if self.at(end) == Some('.') && self.at(end + 1).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
            let mut frac = String::new();
            while let Some(c) = self.at(end).filter(char::is_ascii_digit) {
                if frac.len() < 6 {
                    frac.push(c);
                }
                end += 1;
            }
            while frac.len() < 6 {
                frac.push('0');
            }
            micro = frac.parse().unwrap_or(0);
        }
        Some((
            end,
            PyTime {
                hour,
                minute,
                second,
                micro,
            },
        ))
    }

    /// A date with an optional time and offset. `Some((end, None))` when the text matches
    /// but is not a real date (tomllib's "Invalid date or datetime").
    fn match_datetime(&self, pos: usize) -> Option<(usize, Option<TomlValue>)> {
        let year = self.digits(pos, 4)?;
        if self.at(pos + 4) != Some('-') {
            return None;
        }
        let month = self.digits(pos + 5, 2).filter(|m| (1..=12).contains(m))?;
        if self.at(pos + 7) != Some('-') {
            return None;
        }
        let day = self.digits(pos + 8, 2).filter(|d| (1..=31).contains(d))?;
        let date = PyDate { year, month, day };
        let date_end = pos + 10;
        let valid = year >= 1 && day <= days_in_month(year, month);
        let time_part = match self.at(date_end) {
            Some('T' | 't' | ' ') => self.match_time(date_end + 1),
            _ => None,
        };
        let Some((mut end, time)) = time_part else {
            return Some((date_end, valid.then_some(TomlValue::Date(date))));
        };
        let mut offset = None;
        match self.at(end) {
            Some('Z' | 'z') => {
                offset = Some(0);
                end += 1;
            }
            Some(sign @ ('+' | '-')) => {
                let hh = self.digits(end + 1, 2).filter(|h| *h <= 23);
                let colon = self.at(end + 3) == Some(':');
                let mm = self.digits(end + 4, 2).filter(|m| *m <= 59);
                if let (Some(hh), true, Some(mm)) = (hh, colon, mm) {
                    let minutes = (hh * 60 + mm) as i32;
                    offset = Some(if sign == '-' { -minutes } else { minutes });
                    end += 6;
                }
            }
            _ => {}
        }
        let value = TomlValue::Datetime(PyDatetime {
            date,
            time,
            offset_minutes: offset,
        });
        Some((end, valid.then_some(value)))
    }

    /// tomllib's number pattern: hex/octal/binary integers, decimal integers and floats.
    fn match_number(&self, pos: usize) -> Option<(usize, TomlValue)> {
        if self.at(pos) == Some('0') {
            let radix = match self.at(pos + 1) {
                Some('x') => Some(16),
                Some('o') => Some(8),
                Some('b') => Some(2),
                _ => None,
            };
            if let Some(radix) = radix {
                let is_digit = |c: char| c.is_digit(radix) && c.is_ascii();
                if let Some(end) = self.digit_run(pos + 2, is_digit) {
                    let digits: String = self
                        .slice(pos + 2, end)
                        .chars()
                        .filter(|c| *c != '_')
                        .collect();
                    return Some((end, TomlValue::Int(radix_to_decimal(&digits, radix))));
                }
            }
        }
        let mut p = pos;
        if matches!(self.at(p), Some('+' | '-')) {
            p += 1;
        }
        let int_end = match self.at(p) {
            Some('0') => p + 1,
            Some('1'..='9') => self.digit_run(p, |c| c.is_ascii_digit())?,
            _ => return None,
        };
        let mut end = int_end;
        if self.at(end) == Some('.') {
            if let Some(e) = self.digit_run(end + 1, |c| c.is_ascii_digit()) {
                end = e;
            }
        }
        if matches!(self.at(end), Some('e' | 'E')) {
            let mut q = end + 1;
            if matches!(self.at(q), Some('+' | '-')) {
                q += 1;
            }
            if let Some(e) = self.digit_run(q, |c| c.is_ascii_digit()) {
                end = e;
            }
        }
        let text: String = self.slice(pos, end).chars().filter(|c| *c != '_').collect();
        if end == int_end {
            let body = text.trim_start_matches('+');
            let value = if body == "-0" {
                "0".to_string()
            } else {
                body.to_string()
            };
            return Some((end, TomlValue::Int(value)));
        }
        let f: f64 = text.parse().ok()?;
        Some((end, TomlValue::Float(f)))
    }

    /// `d(_?d)*` starting at `pos`; the end of the run.
    fn digit_run(&self, pos: usize, is_digit: impl Fn(char) -> bool) -> Option<usize> {
        if !self.at(pos).is_some_and(&is_digit) {
            return None;
        }
        let mut end = pos + 1;
        loop {
            match self.at(end) {
                Some(c) if is_digit(c) => end += 1,
                Some('_') if self.at(end + 1).is_some_and(&is_digit) => end += 2,
                _ => return Some(end),
            }
        }
    }
}

fn special_float(s: &str) -> f64 {
    if s.ends_with("nan") {
        f64::NAN
    } else if s.starts_with('-') {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Decimal text of an unsigned integer written in `radix` (any length, like Python ints).
fn radix_to_decimal(digits: &str, radix: u32) -> String {
    // Little-endian limbs in base 10^9.
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let mut carry = u64::from(c.to_digit(radix).unwrap_or(0));
        for limb in limbs.iter_mut() {
            let v = *limb * u64::from(radix) + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    let mut out = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&limb.to_string());
        } else {
            out.push_str(&format!("{limb:09}"));
        }
    }
    out
}

/// Parse a TOML document the way `tomllib.loads` does (after Python's universal-newline
/// file reading).
pub(crate) fn parse(text: &str) -> Result<Table, TomlError> {
    let parser = Parser {
        src: text.replace("\r\n", "\n").chars().collect(),
    };
    parser.parse_document()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().message
    }

    fn value(text: &str) -> TomlValue {
        let t = parse(&format!("v = {text}\n")).unwrap();
        t["v"].clone()
    }

    /// Messages from Python 3.11 `tomllib.loads`.
    #[test]
    fn errors_like_tomllib() {
        let cases: &[(&str, &str)] = &[
            (
                "[tool.pytest",
                "Expected ']' at the end of a table declaration (at end of document)",
            ),
            (
                "[tool.pytest\n",
                "Expected ']' at the end of a table declaration (at line 1, column 13)",
            ),
            ("a = ", "Invalid value (at end of document)"),
            (
                "a = 1\na = 2",
                "Cannot overwrite a value (at end of document)",
            ),
            ("a = \"abc", "Unterminated string (at end of document)"),
            (
                "a b = 1",
                "Expected '=' after a key in a key/value pair (at line 1, column 3)",
            ),
            ("= 1", "Invalid statement (at line 1, column 1)"),
            (
                "[a]\n[a]",
                "Cannot declare ('a',) twice (at line 2, column 3)",
            ),
            ("a = [1, 2", "Unclosed array (at end of document)"),
            ("a = {x = 1", "Unclosed inline table (at end of document)"),
            (
                "a = \"\\q\"",
                "Unescaped '\\' in a string (at line 1, column 8)",
            ),
            (
                "a = 1979-13-01",
                "Expected newline or end of document after a statement (at line 1, column 9)",
            ),
            ("a = tru", "Invalid value (at line 1, column 5)"),
            (
                "[[a]",
                "Expected ']]' at the end of an array declaration (at line 1, column 4)",
            ),
            (
                "a = 1 b = 2",
                "Expected newline or end of document after a statement (at line 1, column 7)",
            ),
            (
                "a.b = 1\na = 2",
                "Cannot overwrite a value (at end of document)",
            ),
            ("a = 'x", "Expected \"'\" (at end of document)"),
            ("a = \"\"\"abc", "Unterminated string (at end of document)"),
            (
                "a = {x=1,}",
                "Invalid initial character for a key part (at line 1, column 10)",
            ),
            (
                "a = \"\\e\"",
                "Unescaped '\\' in a string (at line 1, column 8)",
            ),
            (
                "x = 07:32",
                "Expected newline or end of document after a statement (at line 1, column 6)",
            ),
            (
                "[a]\nb = 1\n[a.b]",
                "Cannot overwrite a value (at line 3, column 5)",
            ),
            (
                "a = 2021-02-29",
                "Invalid date or datetime (at line 1, column 5)",
            ),
            (
                "a = [1]\n[a.b]",
                "Cannot declare ('a', 'b') twice (at line 2, column 5)",
            ),
            (
                "[a]\nb.c = 1\n[a.b]\n",
                "Cannot declare ('a', 'b') twice (at line 3, column 5)",
            ),
            (
                "[a.b]\n[a]\nb.c = 1\n",
                "Cannot redefine namespace ('a', 'b') (at line 3, column 8)",
            ),
            (
                "a = {b = 1}\na.c = 2\n",
                "Cannot mutate immutable namespace ('a',) (at line 2, column 8)",
            ),
            (
                "a = {b = 1, b = 2}",
                "Duplicate inline table key 'b' (at line 1, column 18)",
            ),
            (
                "a = \"x\u{1}\"",
                "Illegal character '\\x01' (at line 1, column 7)",
            ),
            (
                "# c\u{0}\n",
                "Found invalid character '\\x00' (at line 1, column 4)",
            ),
            (
                "a = \"\\uD800\"",
                "Escaped character is not a Unicode scalar value (at line 1, column 12)",
            ),
            ("a = \"\\u12\"", "Invalid hex value (at line 1, column 8)"),
            ("\u{feff}a = 1", "Invalid statement (at line 1, column 1)"),
            (
                "a = 01",
                "Expected newline or end of document after a statement (at line 1, column 6)",
            ),
        ];
        for &(doc, expected) in cases {
            assert_eq!(err(doc), expected, "document {doc:?}");
        }
    }

    #[test]
    fn values_like_tomllib() {
        assert_eq!(value("\"a\\tb\""), TomlValue::Str("a\tb".into()));
        assert_eq!(value("'C:\\x'"), TomlValue::Str("C:\\x".into()));
        assert_eq!(
            value("\"\"\"\nab\\\n   c\"\"\"\"\""),
            TomlValue::Str("abc\"\"".into())
        );
        assert_eq!(value("'''x''''"), TomlValue::Str("x'".into()));
        assert_eq!(value("0xDEAD_beef"), TomlValue::Int("3735928559".into()));
        assert_eq!(value("0b11"), TomlValue::Int("3".into()));
        assert_eq!(value("0o17"), TomlValue::Int("15".into()));
        assert_eq!(value("-0"), TomlValue::Int("0".into()));
        assert_eq!(value("+1_000"), TomlValue::Int("1000".into()));
        assert_eq!(
            value("0xffffffffffffffffffffffff"),
            TomlValue::Int("79228162514264337593543950335".into())
        );
        assert_eq!(value("1.5e3"), TomlValue::Float(1500.0));
        assert_eq!(value("true"), TomlValue::Bool(true));
        assert_eq!(value("[1, 'a', [true]]").py_repr(), "[1, 'a', [True]]");
        assert_eq!(
            value("{a = 1, b.c = 'x'}").py_repr(),
            "{'a': 1, 'b': {'c': 'x'}}"
        );
        assert_eq!(value("-inf").py_repr(), "-inf");
        assert_eq!(value("nan").py_repr(), "nan");
        assert_eq!(value("1e20").py_repr(), "1e+20");
    }

    /// `repr()`/`str()` of tomllib's datetime values, from Python 3.11.
    #[test]
    fn datetimes_like_python() {
        let v = value("1979-05-27T07:32:00Z");
        assert_eq!(v.type_name(), "datetime");
        assert_eq!(
            v.py_repr(),
            "datetime.datetime(1979, 5, 27, 7, 32, tzinfo=datetime.timezone.utc)"
        );
        assert_eq!(v.py_str(), "1979-05-27 07:32:00+00:00");
        let v = value("1979-05-27 00:32:00.9999999-07:00");
        assert_eq!(
            v.py_repr(),
            "datetime.datetime(1979, 5, 27, 0, 32, 0, 999999, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=61200)))"
        );
        assert_eq!(v.py_str(), "1979-05-27 00:32:00.999999-07:00");
        let v = value("1979-05-27T07:32:05+01:30");
        assert_eq!(
            v.py_repr(),
            "datetime.datetime(1979, 5, 27, 7, 32, 5, tzinfo=datetime.timezone(datetime.timedelta(seconds=5400)))"
        );
        let v = value("1979-05-27");
        assert_eq!(
            (v.type_name(), v.py_repr().as_str()),
            ("date", "datetime.date(1979, 5, 27)")
        );
        assert_eq!(v.py_str(), "1979-05-27");
        let v = value("07:32:00.5");
        assert_eq!(
            (v.type_name(), v.py_repr().as_str()),
            ("time", "datetime.time(7, 32, 0, 500000)")
        );
        assert_eq!(v.py_str(), "07:32:00.500000");
        let v = value("1979-05-27T07:32:00");
        assert_eq!(v.py_repr(), "datetime.datetime(1979, 5, 27, 7, 32)");
    }

    #[test]
    fn tables_and_arrays_of_tables() {
        let t = parse(
            "[tool.pytest]\nminversion = \"9.0\"\naddopts = [\n  \"-ra\", # c\n  \"-q\",\n]\n[[x.y]]\na = 1\n[[x.y]]\na = 2\n[x.y.z]\nb = 3\n",
        )
        .unwrap();
        assert_eq!(
            t["tool"].py_repr(),
            "{'pytest': {'minversion': '9.0', 'addopts': ['-ra', '-q']}}"
        );
        assert_eq!(
            t["x"].py_repr(),
            "{'y': [{'a': 1}, {'a': 2, 'z': {'b': 3}}]}"
        );
    }
}

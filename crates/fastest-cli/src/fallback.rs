//! The import fallback: files whose items the source cannot prove are collected by pytest
//! itself, in a worker process of the user's interpreter (`python -m fastest._collect`),
//! and its answer (items, collection errors, warnings) is merged back in pytest's order.

use std::path::{Path, PathBuf};

use std::process::{Command, Stdio};

use crate::host::Host;
use fastest_core::item::{ChainNode, Item, Mark, MarkValue, NodeKind};
use serde::Deserialize;

/// A request to the worker; see `python/fastest/_collect.py` for the protocol.
#[derive(serde::Serialize)]
struct Request<'a> {
    invocation_dir: &'a Path,
    pytest_args: &'a [String],
    paths: &'a [String],
    output: &'a Path,
}

#[derive(Debug, Deserialize, Default)]
pub struct CollectResult {
    #[serde(default)]
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub errors: Vec<RawReport>,
    #[serde(default)]
    pub skipped: Vec<RawReport>,
    #[serde(default)]
    pub warnings: Vec<RawWarning>,
    #[serde(default)]
    pub deselected: Vec<String>,
    #[serde(default)]
    pub exitstatus: i32,
    #[serde(default)]
    pub internal_error: Option<String>,
    /// The `!!! Interrupted: ... !!!` banner pytest printed, if any.
    #[serde(default)]
    pub interrupted: Option<Interrupted>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Interrupted {
    pub message: String,
}

#[derive(Debug, Deserialize)]
pub struct RawItem {
    pub nodeid: String,
    pub chain: Vec<(String, String)>,
    #[serde(default)]
    pub lineno: Option<u32>,
    #[serde(default)]
    pub marks: Vec<RawMark>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawMark {
    pub name: String,
    #[serde(default)]
    pub kwargs: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct RawReport {
    pub nodeid: String,
    #[serde(default)]
    pub longrepr: String,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct RawWarning {
    pub location: Option<String>,
    /// The text pytest groups warnings by.
    pub message: String,
    /// The exact block pytest prints under the locations.
    #[serde(default)]
    pub text: Option<String>,
}

impl RawItem {
    /// Convert to the shared item model.
    pub fn into_item(self) -> Item {
        let chain = self
            .chain
            .into_iter()
            .map(|(ty, name)| {
                let kind = match ty.as_str() {
                    "Dir" => NodeKind::Dir,
                    "Package" => NodeKind::Package,
                    "Module" => NodeKind::Module,
                    "Class" => NodeKind::Class,
                    "Function" => NodeKind::Function,
                    "UnitTestCase" => NodeKind::UnitTestCase,
                    "TestCaseFunction" => NodeKind::TestCaseFunction,
                    "DoctestModule" => NodeKind::DoctestModule,
                    "DoctestTextfile" => NodeKind::DoctestTextfile,
                    "DoctestItem" => NodeKind::DoctestItem,
                    _ => NodeKind::Other,
                };
                let type_name = (kind == NodeKind::Other).then_some(ty);
                ChainNode {
                    kind,
                    type_name,
                    name,
                }
            })
            .collect();
        let marks = self
            .marks
            .into_iter()
            .map(|m| Mark {
                name: m.name,
                kwargs: m
                    .kwargs
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            serde_json::Value::Null => MarkValue::None,
                            serde_json::Value::Bool(b) => MarkValue::Bool(b),
                            serde_json::Value::Number(n) => {
                                n.as_i64().map_or(MarkValue::Opaque, MarkValue::Int)
                            }
                            serde_json::Value::String(s) => MarkValue::Str(s),
                            _ => MarkValue::Opaque,
                        };
                        (k, v)
                    })
                    .collect(),
            })
            .collect();
        Item {
            nodeid: self.nodeid,
            chain,
            lineno: self.lineno,
            marks,
            extra_keywords: self.keywords,
        }
    }
}

/// Errors of the fallback itself (not of the user's files, which come back as reports).
#[derive(Debug, thiserror::Error)]
pub enum FallbackError {
    #[error("no Python interpreter to run the import fallback (set FASTEST_PYTHON)")]
    NoPython,
    #[error("could not start `{python}`: {source}")]
    Spawn {
        python: String,
        source: std::io::Error,
    },
    #[error("the collection worker failed ({status}):\n{stderr}")]
    Worker { status: String, stderr: String },
    #[error("could not read the collection worker's result: {0}")]
    Result(String),
}

/// Run pytest's collection on `paths` in a worker and return its result.
pub fn collect(
    host: &Host,
    pytest_args: &[String],
    paths: &[String],
) -> Result<CollectResult, FallbackError> {
    let python: PathBuf = host.python.clone().ok_or(FallbackError::NoPython)?;
    let invocation_dir = host.cwd.as_path();
    let dir = tempfile::tempdir().map_err(|e| FallbackError::Result(e.to_string()))?;
    let output = dir.path().join("result.json");
    let req_path = dir.path().join("request.json");
    let req = Request {
        invocation_dir,
        pytest_args,
        paths,
        output: &output,
    };
    let body = serde_json::to_vec(&req).map_err(|e| FallbackError::Result(e.to_string()))?;
    std::fs::write(&req_path, body).map_err(|e| FallbackError::Result(e.to_string()))?;
    let mut cmd = Command::new(&python);
    if host.supports_safe_path() {
        // `-P`: the cwd is not put on sys.path, so a user's `fastest/` or `json.py` in it
        // cannot shadow the worker's own imports.
        cmd.arg("-P");
    }
    let out = cmd
        .arg("-m")
        .arg("fastest._collect")
        .arg(&req_path)
        .current_dir(invocation_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| FallbackError::Spawn {
            python: python.display().to_string(),
            source,
        })?;
    if !out.status.success() {
        return Err(FallbackError::Worker {
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let data = std::fs::read(&output).map_err(|e| FallbackError::Result(e.to_string()))?;
    serde_json::from_slice(&data).map_err(|e| FallbackError::Result(e.to_string()))
}

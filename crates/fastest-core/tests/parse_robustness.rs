//! Property test of the parse path: whatever bytes a test file holds, parsing, the skim
//! and collection never panic. Inputs are the demo suite's and a few tricky sources,
//! mutated by a deterministic generator (byte flips, insertions of Python punctuation and
//! keywords, truncations, duplications), so a failure reproduces exactly.
#![allow(clippy::unwrap_used)]

use fastest_core::discovery::collect::{collect_module, ModuleScope, NameRules};
use fastest_core::discovery::parse::parse_outline;
use fastest_core::discovery::skim::skim;
use fastest_core::glob::NameMatcher;
use fastest_core::item::{ChainNode, NodeKind};

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const PIECES: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"\n",
    b"    ",
    b"\t",
    b"'",
    b"\"",
    b"'''",
    b"\\",
    b"#",
    b"@pytest.mark.parametrize('x', [1, 2])\n",
    b"def test_",
    b"class Test",
    b"yield",
    b"return",
    b"lambda",
    b"async ",
    b"\xff",
    b"\xc3\xa9",
    b"\0",
    b"\r\n",
    b"f'{",
    b"pytest.param(",
    b"ids=",
    b"import ",
    b"from . import *\n",
    b"__test__ = False\n",
];

fn seeds() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_project/tests");
    let mut out = vec![
        b"import pytest\nclass TestA:\n    @pytest.mark.parametrize('a,b', [(1, 2), pytest.param(3, 4, id='x')])\n    def test_m(self, a, b):\n        '''doc\n>>> 1\n1\n'''\n        assert a\n".to_vec(),
        b"import unittest\nclass T(unittest.TestCase):\n    def test_b(self): pass\n    def test_a(self): pass\n".to_vec(),
        b"@pytest.fixture(params=[1, 'a', None], ids=['one', None, 'n'])\ndef fx(request):\n    yield request.param\n".to_vec(),
    ];
    for dir in [root.join("unit"), root.join("integration"), root] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "py") {
                    out.push(std::fs::read(e.path()).unwrap());
                }
            }
        }
    }
    out
}

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut v = src.to_vec();
    for _ in 0..=rng.below(6) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let p = PIECES[rng.below(PIECES.len())];
                v.splice(at..at, p.iter().copied());
            }
            2 => v.truncate(at),
            3 if !v.is_empty() => {
                let end = (at + rng.below(40)).min(v.len());
                let chunk = v[at.min(end)..end].to_vec();
                v.splice(at..at, chunk);
            }
            _ => {
                let end = (at + rng.below(20)).min(v.len());
                v.drain(at.min(end)..end);
            }
        }
    }
    v
}

#[test]
fn parsing_and_collecting_mutated_sources_never_panics() {
    let rules = NameRules {
        classes: NameMatcher::new(&["Test".to_string()]),
        functions: NameMatcher::new(&["test".to_string()]),
        long_strings: fastest_core::discovery::LongStrIds::Short,
        strict_ids: false,
    };
    let prefix = vec![
        ChainNode::new(NodeKind::Dir, "root"),
        ChainNode::new(NodeKind::Module, "test_x.py"),
    ];
    let scope = ModuleScope {
        conftest_fixtures: Vec::new(),
        plugin_fixtures: &[],
        submodule: None,
        external: None,
        external_value: None,
        here: None,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let seeds = seeds();
    assert!(seeds.len() >= 4, "the demo suite's files are the seeds");
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let src = mutate(&mut rng, seed);
        let outline = parse_outline(&src, round % 2 == 0);
        let _ = collect_module(&outline, &prefix, "test_x.py", &rules, &scope);
        if let Some(skimmed) = skim(&src) {
            let _ = parse_outline(&skimmed, false);
        }
    }
}

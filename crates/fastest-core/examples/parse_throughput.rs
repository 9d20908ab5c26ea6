//! Measures tree-sitter parse throughput against fastest's outline pass on a tree of
//! Python files: `cargo run --release -p fastest-core --example parse_throughput -- DIR`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut paths = Vec::new();
    files(std::path::Path::new(&dir), &mut paths);
    let srcs: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let bytes: usize = srcs.iter().map(Vec::len).sum();
    let t = Instant::now();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .unwrap();
    for s in &srcs {
        let _ = parser.parse(s, None).unwrap();
    }
    let ts = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for s in &srcs {
        let _ = fastest_core::discovery::parse::parse_outline(s, false);
    }
    let ol = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut skimmed_bytes = 0usize;
    for s in &srcs {
        let sk = fastest_core::discovery::skim::skim(s);
        skimmed_bytes += sk.as_ref().map_or(s.len(), Vec::len);
        let _ = fastest_core::discovery::parse::parse_outline(sk.as_deref().unwrap_or(s), false);
    }
    let sk = t.elapsed().as_secs_f64();
    println!(
        "skim + parse_outline {sk:.3}s, {:.0}% of the bytes kept",
        100.0 * skimmed_bytes as f64 / bytes as f64
    );
    let t = Instant::now();
    let root = std::fs::canonicalize(&dir).unwrap();
    let opts = fastest_core::discovery::DiscoveryOptions {
        rootdir: root.clone(),
        args: vec![root.clone()],
        python_files: fastest_core::glob::PathMatcher::new(&[
            "test_*.py".into(),
            "*_test.py".into(),
        ]),
        rules: fastest_core::discovery::NameRules {
            classes: fastest_core::glob::NameMatcher::new(&["Test".into()]),
            functions: fastest_core::glob::NameMatcher::new(&["test".into()]),
            long_strings: fastest_core::discovery::LongStrIds::Short,
            strict_ids: false,
        },
        norecursedirs: fastest_core::glob::PathMatcher::new(&[".*".into()]),
        ignore: vec![],
        ignore_glob: vec![],
        collect_in_virtualenv: false,
        doctest_modules: false,
        doctest_glob: fastest_core::glob::PathMatcher::new(&["test*.txt".into()]),
        noconftest: false,
        confcutdir: Some(root),
        keep_duplicates: false,
        import_mode: fastest_core::discovery::ImportMode::Prepend,
        use_mmap: true,
        fingerprint: 0,
        certainty: Default::default(),
    };
    let mut cache = fastest_core::discovery::cache::DiscoveryCache::disabled();
    let d = fastest_core::discovery::discover(&opts, &mut cache);
    let full = t.elapsed().as_secs_f64();
    println!("discover(): {full:.3}s wall for {} files", d.files.len());
    println!(
        "{} files, {:.2} MB: tree-sitter {:.3}s ({:.1} MB/s), parse_outline {:.3}s ({:.1} MB/s), one core",
        srcs.len(),
        bytes as f64 / 1e6,
        ts,
        bytes as f64 / 1e6 / ts,
        ol,
        bytes as f64 / 1e6 / ol
    );
}

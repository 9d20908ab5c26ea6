//! Prints tree-sitter-python's tree of a file as an S-expression, to see how it shapes
//! a construct: `cargo run --release -p fastest-core --example sexp -- FILE`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let src = std::fs::read(std::env::args().nth(1).unwrap()).unwrap();
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_python::LANGUAGE.into())
        .unwrap();
    let t = p.parse(&src, None).unwrap();
    println!("{}", t.root_node().to_sexp());
}

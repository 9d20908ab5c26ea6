//! Stamps each build of the collection rules with an id, so a discovery cache written by
//! another build of fastest is never trusted (its rules may differ).

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    // Re-run (and re-stamp) whenever the crate's sources change.
    println!("cargo:rerun-if-changed=src");
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    println!("cargo:rustc-env=FASTEST_BUILD_ID={stamp}");
}

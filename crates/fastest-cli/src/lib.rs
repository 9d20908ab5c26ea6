//! The fastest CLI. (Being written.)

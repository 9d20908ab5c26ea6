//! pytest's glob semantics. (Being written.)

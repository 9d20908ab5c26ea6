//! Selection: `-k` / `-m` expressions. (Being written.)

//! Discovery. (Being written.)

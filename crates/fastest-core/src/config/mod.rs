//! Config: rootdir and configfile discovery, ini values. (Being written.)

"""fastest: a pytest-compatible test discovery and runner written in Rust."""

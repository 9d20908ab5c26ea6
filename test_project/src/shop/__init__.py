"""A tiny shop domain used by fastest's demo suite."""

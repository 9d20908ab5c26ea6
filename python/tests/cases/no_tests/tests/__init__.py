"""Test package without tests."""

"""Tests of bulk screening (a package, so its conftest does not shadow tests/conftest.py)."""

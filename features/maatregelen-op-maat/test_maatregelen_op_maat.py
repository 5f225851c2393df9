"""Binds the maatregelen-op-maat features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("maatregelen-op-maat")

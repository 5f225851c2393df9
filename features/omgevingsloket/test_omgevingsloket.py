"""Binds the omgevingsloket features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("omgevingsloket")

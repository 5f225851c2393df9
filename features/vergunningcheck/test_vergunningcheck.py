"""Binds the vergunningcheck features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("vergunningcheck")

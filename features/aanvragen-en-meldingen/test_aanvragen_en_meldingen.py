"""Binds the aanvragen-en-meldingen features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("aanvragen-en-meldingen")

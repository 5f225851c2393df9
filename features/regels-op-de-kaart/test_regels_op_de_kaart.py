"""Binds the Regels op de kaart features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("regels-op-de-kaart")

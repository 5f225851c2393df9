"""Binds the stelselcatalogus features (pytest-bdd); the steps live in steps/."""
from pytest_bdd import scenarios

scenarios("stelselcatalogus")

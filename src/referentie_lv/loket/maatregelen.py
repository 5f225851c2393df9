"""Stub."""
ROUTES: list = []

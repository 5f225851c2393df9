"""Arazzo workflows (placeholder until the runner lands)."""


def voer_alle_uit(fase) -> None:
    return None

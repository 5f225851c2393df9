"""Data layer of the reference LV: the real Gemeentestad delivery loaded into SQLite + in-memory indexes.

Public entry point: ``from referentie_lv.data.store import Store``; see README.md in this folder.
"""

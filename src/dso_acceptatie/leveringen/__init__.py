"""Conformance of deliveries: STOP/LVBB, TPOD/IMOW, STTR and IMRO 2012 against the official
schemas and coded rules shipped in contracts/standaarden/. Entry point: :func:`valideer`."""

from dso_acceptatie.leveringen.levering import valideer
from dso_acceptatie.leveringen.model import Bevinding, Regelset, Uitkomst
from dso_acceptatie.leveringen.veilig import (
           InvoerFout,
           OnleesbareInvoer,
           OnveiligeInvoer,
)

__all__ = [
           "Bevinding",
           "InvoerFout",
           "OnleesbareInvoer",
           "OnveiligeInvoer",
           "Regelset",
           "Uitkomst",
           "valideer",
]

"""Test data per target: ``features/testdata/<doel>.toml``.

The same features run on every target; what differs (addresses, documents, werkzaamheden, the
words a loket uses for a conclusion) lives here. A scenario that asks for data its target does not
define is skipped with exactly that reason, so it shows as ``overgeslagen``, never as passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dso_acceptatie.configuratie import lees_toml
from dso_acceptatie.fasen.klantreizen import paden


class Testdata:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, doel: str, gegevens: dict, bestand: Path | None):
        self.doel = doel
        self.gegevens = gegevens
        self.bestand = bestand

    @classmethod
    def laad(cls, doel: str, map_: Path = paden.TESTDATA) -> Testdata:
        """The target's test data; none is fine (its scenarios skip with the reason), a file that
        cannot be read is a :class:`ConfiguratieFout` naming file, line and fix."""
        bestand = map_ / f"{doel}.toml"
        gelezen = lees_toml(bestand, oplossing_ontbreekt="", mag_ontbreken=True)
        if gelezen is None:
            return cls(doel, {}, None)
        return cls(doel, gelezen[0], bestand)

    def _bron(self) -> str:
        if self.bestand is None:
            return f"er is geen testdatabestand features/testdata/{self.doel}.toml"
        return f"niet gedefinieerd in features/testdata/{self.bestand.name}"

    def zoek(self, *pad: str, standaard=None):
        waarde = self.gegevens
        for deel in pad:
            if not isinstance(waarde, dict) or deel not in waarde:
                return standaard
            waarde = waarde[deel]
        return waarde

    def vereis(self, *pad: str):
        """The value at ``pad`` (e.g. ``"locaties", "centrum", "adres"``), or skip the scenario."""
        waarde = self.zoek(*pad)
        if waarde is None or waarde == "" or waarde == [] or waarde == {}:
            pytest.skip(f"testdata ontbreekt voor doel '{self.doel}': "
                        f"'{'.'.join(pad)}' ({self._bron()})")
        return waarde

    def vertaal(self, soort: str, naam: str) -> str:
        """A target's own word for a shared name (``[werkzaamheden]``, ``[conclusies]``).

        Without a table for ``soort`` the name is used as it is; with one, a name missing from it
        means the target does not offer this (skip).
        """
        tabel = self.zoek(soort)
        if tabel is None:
            return naam
        return self.vereis(soort, naam)

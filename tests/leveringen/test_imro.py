"""IMRO 2012: the official RW-2025 test files give their documented outcome under the rule set
that the peildatum selects (README of the test files is written for TAM v0.13)."""

from datetime import date

import pytest

from dso_acceptatie.leveringen import valideer
from dso_acceptatie.leveringen.imro import tam_voor

from .helpers import IMRO

V013 = date(2025, 6, 1)
V014 = date(2026, 6, 1)

# From validatie_testbestanden_2025/README.md ("gewenst Resultaat").
README = {"RW-2025-1": "blokkeren", "RW-2025-2a": "blokkeren", "RW-2025-2b": "OK",
          "RW-2025-3": "blokkeren", "RW-2025-4a": "OK", "RW-2025-7a": "OK",
          "RW-2025-7b": "blokkeren"}


@pytest.mark.parametrize("naam", sorted(README))
def test_officiele_testbestanden_onder_v013(naam):
    u = valideer(IMRO / f"{naam}.gml", peildatum=V013)
    assert [r.naam for r in u.regelsets if r.toegepast][-1] == "IMRO 2012 TAM v0.13"
    assert u.oordeel == ("afgekeurd" if README[naam] == "blokkeren" else "goedgekeurd"), \
        [b.bericht for b in u.bevindingen]


def test_readme_melding_komt_overeen():
    u = valideer(IMRO / "RW-2025-7b.gml", peildatum=V013)
    (b,) = u.bevindingen
    assert "NL.IMRO.0202.VBB985-0301" in b.bericht
    assert "voorbereidingsbesluiten niet meer publiceren op basis van TAM" in b.bericht
    assert b.bestand == "RW-2025-7b.gml" and b.regel == 8
    assert b.xpath == "/FeatureCollectionIMRO/featureMember/Besluitgebied_X"


def test_7b_geblokkeerd_onder_v013_en_ok_onder_v014():
    assert valideer(IMRO / "RW-2025-7b.gml", peildatum=V013).oordeel == "afgekeurd"
    u = valideer(IMRO / "RW-2025-7b.gml", peildatum=V014)
    assert u.oordeel == "goedgekeurd"
    assert any(r.naam == "IMRO 2012 TAM v0.14" and "2026-06-01" in r.toelichting
               for r in u.regelsets)


def test_v014_geeft_regelcode():
    u = valideer(IMRO / "RW-2025-2a.gml", peildatum=V014)
    assert "BSPG-001a" in u.codes("fout")


@pytest.mark.parametrize("dag,versie", [(date(2025, 12, 31), "v0.13"), (date(2026, 1, 1), "v0.14"),
                                        (date(2024, 3, 1), "v0.13"), (date(2030, 1, 1), "v0.14")])
def test_regelset_per_peildatum(dag, versie):
    assert tam_voor(dag).versie == versie


def test_imro_xsd_fout_met_plaats(tmp_path):
    tekst = (IMRO / "RW-2025-2b.gml").read_text(encoding="utf-8")
    kapot = tekst.replace("<imro:typePlan>", "<imro:soortPlan>", 1).replace(
        "</imro:typePlan>", "</imro:soortPlan>", 1)
    (tmp_path / "plan.gml").write_text(kapot, encoding="utf-8")
    u = valideer(tmp_path / "plan.gml", peildatum=V013)
    xsd = [b for b in u.bevindingen if b.code == "IMRO-XSD"]
    assert xsd and xsd[0].regel and "soortPlan" in xsd[0].bericht


# Cases derived from the shipped files the way the README derives its own (date, status and
# government changed); they mirror RW-2025-4b, -5 and -6, which are not shipped.
@pytest.mark.parametrize("bron,zoek,vervang,verwacht", [
    ("RW-2025-4a", "<imro:planstatus>vastgesteld</imro:planstatus>",
     "<imro:planstatus>ontwerp</imro:planstatus>", "afgekeurd"),                      # ~4b
    ("RW-2025-7a", "gemeentelijke overheid", "provinciale overheid", "afgekeurd"),   # ~5
    ("RW-2025-7a", "gemeentelijke overheid", "nationale overheid", "afgekeurd"),     # ~6
    ("RW-2025-7a", "<imro:datum>2025-02-02</imro:datum>",
     "<imro:datum>2023-06-01</imro:datum>", "goedgekeurd"),                          # before IOW
])
def test_afgeleide_gevallen_onder_v013(tmp_path, bron, zoek, vervang, verwacht):
    tekst = (IMRO / f"{bron}.gml").read_text(encoding="utf-8")
    assert zoek in tekst
    (tmp_path / "plan.gml").write_text(tekst.replace(zoek, vervang, 1), encoding="utf-8")
    u = valideer(tmp_path / "plan.gml", peildatum=V013)
    assert u.oordeel == verwacht, [b.bericht for b in u.bevindingen]

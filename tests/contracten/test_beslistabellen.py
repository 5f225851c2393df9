"""Every published activity × decision-table row against the oracle (contracts/sttr/): the clean
reference agrees everywhere; a threshold shifted by one and a conclusion swapped for one activity
only are both caught, as blocking findings on exactly the activity concerned (the clean run and
the shifted threshold, fault verschoven-drempel, are in test_referentie.py with the other faults)."""

from __future__ import annotations

from dso_acceptatie.fasen.contracten import beslistabellen
from dso_acceptatie.fasen.contracten.instellingen import CONTRACTS
from tests.contracten.helpers import beschrijf, dienst_urls, draai_fase

BIJGEBOUW, KAPPEN = "nl.imow-gm0297.activiteit.2019000800", "nl.imow-gm0297.activiteit.2019000810"


def test_gevallen_raken_elke_regel_en_beide_kanten_van_elke_drempel():
    modellen = beslistabellen.orakel(CONTRACTS / "sttr")
    bijgebouw = modellen["Conclusie Bouwen van een bijgebouw - Initiele versie"]
    lijst, niet = beslistabellen.gevallen(bijgebouw)
    assert not niet
    # The table's thresholds are 20 and 30 m²: one below, at and above each.
    assert {g.antwoorden["oppervlakte m2"] for g in lijst} >= {19, 20, 21, 29, 30, 31}
    assert {g.verwacht for g in lijst} == {"Toestemmingsvrij", "Meldingsplicht", "Vergunningplicht"}
    kappen = modellen["Conclusie Kappen van een boom - Initiele versie"]
    lijst, niet = beslistabellen.gevallen(kappen)
    assert not niet
    geraakt = {(b, n) for g in lijst for b, n in g.regels.items()}
    assert geraakt == {(b.naam, r.nummer) for b in kappen.besluiten.values() for r in b.regels}


def _records(start_referentie, tmp_path, fouten=""):
    with start_referentie(fouten) as (origin, sleutel):
        records = draai_fase(tmp_path / "run", dienst_urls(origin, ("uitvoeren",)), sleutel=sleutel,
                             voorbeelden=1, fasen="examples")
    return [r for r in records if r["controle"] == beslistabellen.CONTROLE]


def test_verwisselde_conclusie_voor_een_activiteit_wordt_alleen_daar_gevonden(start_referentie, tmp_path):
    records = _records(start_referentie, tmp_path, f"verwisselde-conclusie:{KAPPEN}")
    kappen = [r for r in records if r["details"].get("activiteit") == KAPPEN]
    bijgebouw = [r for r in records if r["details"].get("activiteit") == BIJGEBOUW]
    assert kappen and all(r["status"] == "gefaald" and r["ernst"] == "blokkerend" for r in kappen), \
        beschrijf(records)
    assert bijgebouw and all(r["status"] == "geslaagd" for r in bijgebouw), beschrijf(records)
    r = next(r for r in kappen if r["details"]["typering"] == "Conclusie")
    assert r["bewijs"] and "$DSO_API_KEY" in r["details"]["curl"]
    assert r["details"]["verschillen"][0]["verwacht"] != r["details"]["verschillen"][0]["gekregen"]


"""Response times against the SLO (load/slo.toml): a service whose every call waits far longer
than its p95 limit is a blocking finding, testing it stops early (the rest 'overgeslagen' with
"dienst te traag") and the run is rejected. Behaviour only: nothing here asserts a duration."""

from __future__ import annotations

import pytest

from dso_acceptatie.fasen.contracten import controles
from dso_acceptatie.rapport import bouw_rapport
from tests.contracten.helpers import PROJECT, beschrijf, dienst_urls, draai_fase


def test_mediaan():
    assert controles.mediaan([5, 1, 3]) == 3
    assert controles.mediaan([4, 1, 3, 2]) == 2.5


def test_trage_dienst_is_blokkerend_en_wordt_vroeg_gestopt(start_referentie, tmp_path):
    # Every call of the Locatieserver waits 0.8 s; its SLO says p95 ≤ 300 ms (factor 2.7, over
    # the stop factor 2). Geometrie opvragen beside it is quick.
    env = {"REFERENTIE_LV_TRAAG_SECONDEN": "0.8"}
    with start_referentie("traag:locatieserver", env) as (origin, sleutel):
        records = draai_fase(tmp_path / "run", dienst_urls(origin, ("locatieserver", "geometrieopvragen")),
                             sleutel=sleutel, voorbeelden=10, fasen="examples,coverage,fuzzing")
    lat = [r for r in records if r["controle"] == "dso_latentie" and r["component"] == "locatieserver"]
    gefaald = [r for r in lat if r["status"] == "gefaald"]
    assert gefaald, beschrijf(lat)
    r = gefaald[0]
    assert r["ernst"] == "blokkerend" and r["soort"] == "controle"
    d = r["details"]
    assert d["grens_p95_ms"] == 300 and d["aantal"] >= 5 and d["mediaan_ms"] > 300
    assert d["endpoint"].startswith("locatieserver GET /")

    # Stopped early: the coverage record of the service names the reason, and the unit phases
    # after the stop did not finish.
    dekking = next(r for r in records if r["controle"] == "dekking" and r["component"] == "locatieserver")
    assert dekking["status"] == "overgeslagen" and dekking["soort"] == "administratie"
    assert dekking["details"]["te_traag"] and "dienst te traag" in dekking["bericht"]
    assert "fuzzing" not in dekking["details"]["fasen_afgerond"]
    # What did not get its turn is 'overgeslagen' with the reason, never 'geslaagd'.
    for r in records:
        if "dienst te traag" in r["bericht"] and r["controle"] != "dekking":
            assert r["status"] == "overgeslagen", beschrijf([r])

    # The quick service is judged on its own: within its SLO.
    geo = [r for r in records if r["controle"] == "dso_latentie" and r["component"] == "geometrieopvragen"]
    assert geo and all(r["status"] in ("geslaagd", "overgeslagen") for r in geo), beschrijf(geo)
    assert any(r["status"] == "geslaagd" for r in geo)
    geo_dekking = next(r for r in records if r["controle"] == "dekking" and r["component"] == "geometrieopvragen")
    assert not geo_dekking["details"]["te_traag"]

    # Finding is not rejecting: the report with the project's criteria rejects this run.
    rapport = bouw_rapport(tmp_path / "run", PROJECT / "acceptatiecriteria.toml", schrijf=False,
                           vergelijk_met_vorige=False)
    # (Without the orchestrator's run records the run as a whole reads 'onderbroken'; the verdict
    # over what is there, and over the API, is what the criteria make of the records.)
    assert rapport.model.totaal.oordeel == "afwijzen", rapport.model.totaal.redenen
    assert rapport.model.groepen["api"]["locatieserver"].oordeel == "afwijzen"


@pytest.mark.parametrize(("regel", "melding"), [
    ("min_metingen = 0", r"contracten\.toml:4 \[latentie\] min_metingen: 0 is kleiner dan 1"),
    ('stopfactor = "veel"', r"contracten\.toml:4 \[latentie\] stopfactor: 'veel' is geen getal"),
])
def test_foute_latentie_instelling_noemt_bestand_en_regel(tmp_path, regel, melding):
    from dso_acceptatie.configuratie import ConfiguratieFout
    from dso_acceptatie.fasen.contracten import instellingen
    pad = tmp_path / "contracten.toml"
    pad.write_text(f"# kop\n\n[latentie]\n{regel}\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match=melding):
        instellingen.lees(pad)

"""Each verdict rule, on run folders written by the real RecordWriter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.rapport import EXITCODES, bouw_rapport
from tests.rapport.generator import controle, maak_run

PROJECT = Path(__file__).resolve().parents[2]
ROLLEN = PROJECT / "rollen.toml"


def rapport(tmp_path, records, criteria: Criteria | None = None, **kw):
    run_map = maak_run(tmp_path / "runs", records, **kw)
    pad = None
    if criteria is not None:
        pad = tmp_path / "criteria.toml"
        pad.write_text(f"geblokkeerd = \"{criteria.geblokkeerd}\"\n[dekking]\n"
                       f"max_overgeslagen_percentage = {criteria.max_overgeslagen_percentage:g}\n",
                       encoding="utf-8")
    return bouw_rapport(run_map, pad, None, ROLLEN)


def groep(r, soort, naam):
    return r.model.groepen[soort][naam]


def test_exitcodes_zijn_verschillend_en_alleen_accepteren_is_nul():
    assert len(set(EXITCODES.values())) == len(EXITCODES)
    assert [o for o, c in EXITCODES.items() if c == 0] == ["accepteren"]
    assert 2 not in EXITCODES.values()   # reserved for usage/configuration errors


def test_geslaagde_controles_geven_accepteren(tmp_path):
    r = rapport(tmp_path, [controle(), controle(controle="content_type_conformance")])
    assert (r.oordeel, r.exitcode) == ("accepteren", 0)
    assert "2 controle(s) geslaagd" in r.redenen[0]


def test_alleen_administratie_is_nooit_geaccepteerd(tmp_path):
    """Bookkeeping (service reachable, phase finished, spec loaded) proves nothing."""
    adm = [controle(fase="omgeving", component="presenteren", onderwerp="presenteren",
                    controle="bereikbaarheid", soort="administratie"),
           controle(controle="spec", onderwerp="specificatie", soort="administratie"),
           controle(fase="last", component="last", onderwerp="lastprofiel", controle="lastprofiel",
                    soort="administratie")]
    r = rapport(tmp_path, adm)
    assert r.oordeel == "niet getest"
    assert r.exitcode == 5
    assert "geen enkele controle geslaagd" in r.redenen[0]
    assert sum(r.model.administratie.values()) == 3


def test_records_zonder_soort_zijn_controles(tmp_path):
    run_map = maak_run(tmp_path / "runs", [])
    regel = {"schema": "dso-acceptatie/record/1", "run_id": "x", "tijd": "2026-11-30T10:00:00+00:00",
             "fase": "contracten", "component": "presenteren", "onderwerp": "GET /a", "controle": "c",
             "status": "geslaagd", "ernst": "informatief", "bericht": "ok"}
    (run_map / "records" / "oud.jsonl").write_text(json.dumps(regel) + "\n", encoding="utf-8")
    r = bouw_rapport(run_map)
    assert r.oordeel == "accepteren"
    assert r.model.totaal.telling["geslaagd"] == 1


def test_lege_run_is_niet_getest(tmp_path):
    r = rapport(tmp_path, [])
    assert r.oordeel == "niet getest"


def test_volledig_overgeslagen_klantreis_hooguit_onder_voorwaarden(tmp_path):
    """Against a target without test data a whole journey is skipped: never plain accepted."""
    records = [controle()] * 20 + [
        controle(fase="klantreizen", component="Vergunningcheck", onderwerp=f"Vergunningcheck: s{i}",
                 controle="scenario", status="overgeslagen", bericht="geen testdata",
                 details={"klantreis": "Vergunningcheck"}) for i in range(3)]
    r = rapport(tmp_path, records, Criteria(max_overgeslagen_percentage=-1))
    assert r.oordeel == "accepteren onder voorwaarden"
    assert r.exitcode == 4
    assert any("klantreis 'Vergunningcheck' (3 van 3 overgeslagen)" in x for x in r.redenen)
    kr = groep(r, "klantreis", "Vergunningcheck")
    assert kr.oordeel == "niet getest"


def test_volledig_overgeslagen_api(tmp_path):
    records = [controle()] + [controle(component="uitvoeren", status="overgeslagen", bericht="geen sleutel")]
    r = rapport(tmp_path, records, Criteria(max_overgeslagen_percentage=-1))
    assert r.oordeel == "accepteren onder voorwaarden"
    assert any("API 'uitvoeren'" in x for x in r.redenen)


def test_overgeslagen_boven_tolerantie_geeft_voorwaarde(tmp_path):
    records = [controle()] * 8 + [controle(onderwerp="GET /b", status="overgeslagen")] * 2
    assert rapport(tmp_path / "a", records, Criteria(max_overgeslagen_percentage=30)).oordeel == "accepteren"
    r = rapport(tmp_path / "b", records, Criteria(max_overgeslagen_percentage=10))
    assert r.oordeel == "accepteren onder voorwaarden"
    assert any("2 van 10 controles overgeslagen" in x for x in r.redenen)


def test_axe_crash_is_geblokkeerd_en_niet_aangetoond(tmp_path):
    """axe-core could not run on a page: geblokkeerd, which never counts as proof."""
    records = [controle(fase="klantreizen", component="Omgevingsloket", onderwerp="toegankelijkheid: /kaart",
                        controle="axe-core: WCAG 2.1 A/AA", status="geblokkeerd", ernst="ernstig",
                        bericht="axe-core kon niet draaien op de pagina")]
    r = rapport(tmp_path / "alleen", records)
    assert r.oordeel == "niet getest"
    toegankelijk = groep(r, "klantreis", "Toegankelijkheid (WCAG 2.1 AA)")
    assert toegankelijk.oordeel == "niet getest"
    assert toegankelijk.telling["geslaagd"] == 0
    # next to passing checks it is a gap: at best onder voorwaarden, and not accepted in CI
    r2 = rapport(tmp_path / "met", [controle(), *records])
    assert r2.oordeel == "accepteren onder voorwaarden"
    assert r2.exitcode != 0
    assert any("1 controle(s) geblokkeerd" in x for x in r2.redenen)
    r3 = rapport(tmp_path / "streng", [controle(), *records], Criteria(geblokkeerd="afwijzen"))
    assert r3.oordeel == "afwijzen"


def test_gefaald_boven_de_norm_is_afwijzen(tmp_path):
    records = [controle(), controle(onderwerp="GET /b", status="gefaald", ernst="ernstig", bericht="500")]
    r = rapport(tmp_path, records)
    assert (r.oordeel, r.exitcode) == ("afwijzen", 1)
    assert "1 gefaalde controle(s) met ernst 'ernstig' (toegestaan: 0)" in r.redenen


def test_hinderlijk_binnen_de_norm(tmp_path):
    records = [controle(), controle(onderwerp="GET /b", status="gefaald", ernst="hinderlijk")]
    r = rapport(tmp_path, records)
    assert r.oordeel == "accepteren"
    assert "hinderlijke/cosmetische" in r.redenen[0]


def test_zelfcontroles_van_het_harnas_beslissen_niet(tmp_path):
    """The validator on the project's own samples: its own section, never the target's verdict."""
    zelf = [controle(fase="leveringen", component="IMOW", onderwerp=f"voorbeeld {i}",
                     controle="verwachte-uitkomst", status="geslaagd",
                     details={"verwacht": "goedgekeurd", "uitkomst": "goedgekeurd"}) for i in range(5)]
    r = rapport(tmp_path / "alleen", zelf)
    assert r.oordeel == "niet getest"       # five passing self-checks prove nothing about the target
    assert r.model.zelfcontrole.telling["geslaagd"] == 5
    assert r.model.totaal.totaal == 0
    # a failing self-check does not reject the target either, but it is flagged
    fout = controle(fase="leveringen", component="IMOW", onderwerp="voorbeeld x", controle="verwachte-uitkomst",
                    status="gefaald", ernst="ernstig", details={"verwacht": "afgekeurd"})
    r2 = rapport(tmp_path / "fout", [controle(), fout])
    assert r2.oordeel == "accepteren"
    assert any("zelfcontrole van het harnas is niet in orde" in x for x in r2.redenen)
    assert r2.json["zelfcontrole"]["telling"]["gefaald"] == 1
    # a vendor's delivery (no expected outcome) is about the target and does count
    lev = controle(fase="leveringen", component="IMOW", onderwerp="gemeente.zip", controle="conformiteit",
                   status="gefaald", ernst="blokkerend", rol="plansoftware")
    r3 = rapport(tmp_path / "lev", [controle(), lev])
    assert r3.oordeel == "afwijzen"
    assert groep(r3, "rol", "plansoftware").oordeel == "niet getest" or \
        groep(r3, "rol", "plansoftware").oordeel == "afwijzen"


def test_onleesbare_recordregel_blokkeert(tmp_path):
    run_map = maak_run(tmp_path / "runs", [controle()])
    pad = run_map / "records" / "contracten.jsonl"
    goed = pad.read_text(encoding="utf-8")
    pad.write_text("{kapot\n" + goed, encoding="utf-8")
    r = bouw_rapport(run_map)
    assert r.oordeel == "afwijzen"
    assert "recordregel(s) onleesbaar" in r.redenen[0]
    assert any(b["component"] == "records" for b in r.json["bevindingen"])


def test_onbekende_status_en_ernst_worden_gemeld(tmp_path):
    """Never silently ignored: the reader turns the line into a blocked record naming it."""
    run_map = maak_run(tmp_path / "runs", [controle()])
    regel = json.loads((run_map / "records" / "contracten.jsonl").read_text().splitlines()[0])
    regel.update(status="half", ernst="zwaar", controle="vreemd")
    with open(run_map / "records" / "contracten.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(regel) + "\n")
    r = bouw_rapport(run_map)
    gemeld = [b for b in r.json["bevindingen"] if b["controle"] == "record-leesbaar"]
    assert len(gemeld) == 1 and "half" in gemeld[0]["bericht"] and "zwaar" in gemeld[0]["bericht"]
    assert r.oordeel == "afwijzen"


def test_onbekende_waarden_in_het_model_zelf(tmp_path):
    """bouw_model on dicts (no reader in between) still names and never drops them."""
    from dso_acceptatie.rapport.model import bouw_model

    rs = [dict(controle(), run_id="x", soort="raar"), dict(controle(onderwerp="b"), status="half", ernst="zwaar")]
    m = bouw_model(rs, Criteria())
    assert any("onbekende soort 'raar'" in a for a in m.afwijkingen)
    assert any("onbekende status 'half'" in a for a in m.afwijkingen)
    assert any("onbekende ernst 'zwaar'" in a for a in m.afwijkingen)
    assert m.totaal.telling["geblokkeerd"] == 1 and m.oordeel != "accepteren"


def test_onderbroken_run(tmp_path):
    r = rapport(tmp_path, [controle()], einde=None)
    assert (r.oordeel, r.exitcode) == ("onderbroken", 130)
    assert "onderbroken" in r.redenen[0]


def test_niet_testbaar(tmp_path):
    records = [controle(fase="omgeving", component="presenteren", onderwerp="presenteren",
                        controle="bereikbaarheid", status="gefaald", ernst="blokkerend",
                        bericht="presenteren niet bereikbaar")]
    r = rapport(tmp_path, records, einde="niet-testbaar")
    assert (r.oordeel, r.exitcode) == ("niet testbaar", 3)
    assert r.redenen == ["presenteren niet bereikbaar"]


def test_oordeel_per_rol(tmp_path):
    records = [controle(component="presenteren"),
               controle(component="verzoeken-indienen", status="gefaald", ernst="ernstig"),
               controle(fase="leveringen", component="IMOW", onderwerp="lev.zip", controle="conformiteit",
                        rol="plansoftware")]
    r = rapport(tmp_path, records)
    assert groep(r, "rol", "raadpleeg-afnemer").oordeel == "accepteren"
    assert groep(r, "rol", "vth-systeem").oordeel == "afwijzen"
    assert groep(r, "rol", "plansoftware").oordeel == "accepteren"
    assert groep(r, "rol", "loket-aanbieder").oordeel == "niet getest"
    assert groep(r, "operatie", "presenteren GET /regelingen").telling["geslaagd"] == 1


@pytest.mark.parametrize("inhoud, melding", [
    ("[bevindingen]\nernstig = -3\n", ":2: 'ernstig' moet een geheel getal"),
    ("[bevindingen]\nrampzalig = 1\n", ":2: onbekende ernst 'rampzalig'"),
    ("geblokkeerd = \"misschien\"\n", ":1: 'geblokkeerd' moet"),
    ("\n[dekking]\nmax_overgeslagen_percentage = 140\n", ":3: 'max_overgeslagen_percentage' moet"),
    ("onzin = 1\n", ":1: onbekende of verkeerd getypeerde sleutel 'onzin'"),
    ("[bevindingen\n", ":1:13: geen geldige TOML"),
])
def test_slecht_criteriabestand_geeft_nederlandse_fout_met_regel(tmp_path, inhoud, melding):
    from dso_acceptatie.configuratie import ConfiguratieFout
    from dso_acceptatie.criteria import lees_criteria

    pad = tmp_path / "acceptatiecriteria.toml"
    pad.write_text(inhoud, encoding="utf-8")
    with pytest.raises(ConfiguratieFout) as e:
        lees_criteria(pad)
    assert f"{pad}{melding}" in str(e.value)


def test_criteria_en_rollen_van_het_project_zijn_geldig():
    from dso_acceptatie.criteria import lees_criteria
    from dso_acceptatie.rapport.rollen import lees_rollen

    c = lees_criteria(PROJECT / "acceptatiecriteria.toml")
    assert c.geblokkeerd == "voorwaarden" and c.maxima["ernstig"] == 0
    namen = {r.naam for r in lees_rollen(ROLLEN)}
    assert {"raadpleeg-afnemer", "viewer-regels-op-de-kaart", "plansoftware", "toepasbare-regels-beheerder",
            "vth-systeem", "loket-aanbieder"} <= namen


def test_onbekende_tabel_in_criteria_noemt_de_regel(tmp_path):
    from dso_acceptatie.configuratie import ConfiguratieFout
    from dso_acceptatie.criteria import lees_criteria

    pad = tmp_path / "c.toml"
    pad.write_text("# kop\n\n[slo]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match=r"c\.toml:3: onbekende of verkeerd getypeerde sleutel 'slo'"):
        lees_criteria(pad)


def test_ontbrekend_criteriabestand_is_een_fout_tenzij_het_mag(tmp_path):
    from dso_acceptatie.configuratie import ConfiguratieFout
    from dso_acceptatie.criteria import lees_criteria

    with pytest.raises(ConfiguratieFout, match="bestand niet gevonden"):
        lees_criteria(tmp_path / "weg.toml")
    assert lees_criteria(tmp_path / "weg.toml", mag_ontbreken=True) == Criteria()


def test_oude_sleutels_worden_nog_begrepen(tmp_path):
    from dso_acceptatie.criteria import lees_criteria

    pad = tmp_path / "c.toml"
    pad.write_text("geblokkeerd_toegestaan = false\ninstabiel_toegestaan = true\n", encoding="utf-8")
    c = lees_criteria(pad)
    assert (c.geblokkeerd, c.instabiel) == ("afwijzen", "toegestaan")
    assert not c.geblokkeerd_toegestaan and c.instabiel_toegestaan


def test_afgebroken_laatste_regel_wordt_gemeld_niet_stil_weggelaten(tmp_path):
    run_map = maak_run(tmp_path / "runs", [controle()])
    with open(run_map / "records" / "contracten.jsonl", "a", encoding="utf-8") as f:
        f.write('{"schema": "dso-acceptatie/record/1", "fase": "contr')
    r = bouw_rapport(run_map)
    assert r.oordeel == "afwijzen"
    assert "recordregel(s) onleesbaar" in r.redenen[0]
    assert any("afgebroken" in b["bericht"] for b in r.json["bevindingen"])
    assert r.model.totaal.telling["geslaagd"] == 1


def test_niet_geslaagde_administratie_telt_wel_tegen(tmp_path):
    """Bookkeeping proves nothing, but 'spec not loaded' marked as bookkeeping must still block."""
    records = [controle(),
               controle(onderwerp="specificatie", controle="spec-beschikbaar", status="geblokkeerd",
                        ernst="blokkerend", bericht="geen spec", soort="administratie"),
               controle(onderwerp="specificatie", controle="spec", soort="administratie")]
    r = rapport(tmp_path, records)
    assert r.oordeel == "accepteren onder voorwaarden"
    assert r.model.totaal.telling["geblokkeerd"] == 1 and r.model.totaal.telling["geslaagd"] == 1
    assert r.model.administratie[("contracten", "spec")] == 1

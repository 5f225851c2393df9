"""A slow target (every call 500 ms, as a distant 'pre' can be): the contracten phase keeps to
its time budget, still gives a verdict, and says how much it covered. What it did not reach is
'overgeslagen' with the reason "tijdsbudget op", never 'geslaagd'."""

from __future__ import annotations

from tests.contracten.helpers import beschrijf, dienst_urls, draai_fase

BUDGET_S = 14


def test_traag_doel_blijft_binnen_het_tijdsbudget(start_referentie, tmp_path):
    # The reference's own fault: every API call of the catalogus waits 0.5 s first.
    with start_referentie("traag:catalogus", {"REFERENTIE_LV_TRAAG_SECONDEN": "0.5"}) as (origin, sleutel):
        records = draai_fase(tmp_path / "run", dienst_urls(origin, ("catalogus", "geometrieopvragen")),
                             sleutel=sleutel, voorbeelden=5, fasen=None,
                             extra_env={"DSO_CONTRACTEN_TIJDSBUDGET": str(BUDGET_S)}, timeout=90)
    # Behaviour, not wall time (a timing bound flakes on a loaded CI machine): the phase stopped
    # because of its budget and says so; the timeout above only guards against a hang.
    einde = next(r for r in records if r["controle"] == "fase-einde")
    assert einde["soort"] == "administratie" and einde["details"]["tijdsbudget_s"] == BUDGET_S

    # Without a budget the slow catalogus takes minutes (about 400 calls of 0.5 s): cut short.
    dekking = {r["component"]: r for r in records if r["controle"] == "dekking"}
    cat = dekking["catalogus"]
    assert cat["soort"] == "administratie" and cat["status"] == "overgeslagen"
    d = cat["details"]
    assert d["tijdsbudget_op"] is True
    # How far it got depends on the machine's load; that it was cut short does not.
    assert d["operaties_totaal"] == 6 and d["operaties_getest"] >= 1
    assert d["niet_getest_tijdsbudget"] or set(d["fasen_afgerond"]) < {"examples", "coverage", "fuzzing", "stateful"}
    assert "tijdsbudget op" in cat["bericht"] and f"{d['operaties_getest']} van 6 operaties" in cat["bericht"]
    # examples per operation: the tested ones got requests, the others none
    per_op = d["voorbeelden_per_operatie"]
    assert len(per_op) == 6 and sum(1 for n in per_op.values() if n > 0) == d["operaties_getest"]

    # Every operation of the catalogus has records; the ones not reached are 'overgeslagen'
    # with the reason, and none of them has a passed check.
    operaties = {r["onderwerp"] for r in records if r["component"] == "catalogus"
                 and r["onderwerp"].split(" ")[0] in ("GET", "POST")}
    assert len(operaties) == 6, sorted(operaties)
    for label in d["niet_getest_tijdsbudget"]:
        eigen = [r for r in records if r["component"] == "catalogus" and r["onderwerp"] == label]
        assert eigen and all(r["status"] == "overgeslagen" for r in eigen), beschrijf(eigen)
        assert any("tijdsbudget op" in r["bericht"] for r in eigen)
    assert set(d["niet_getest_tijdsbudget"]) == {
        label for label, n in per_op.items() if n == 0}

    # The fast service beside it was tested in full, in the same budget.
    geo = dekking["geometrieopvragen"]
    assert geo["details"]["operaties_getest"] == geo["details"]["operaties_totaal"] == 2
    assert any(r["component"] == "geometrieopvragen" and r["status"] == "geslaagd"
               and r["controle"] == "not_a_server_error" for r in records)
    # Nothing blocked or crashed: the phase gave a verdict.
    assert not [r for r in records if r["status"] == "geblokkeerd"], beschrijf(
        [r for r in records if r["status"] == "geblokkeerd"])

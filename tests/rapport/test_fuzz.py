"""Fuzz of the report (issue Robuustheid): any bytes in a record file give a verdict — never a
traceback, never *accepteren* over a line the reader could not read as a record."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dso_acceptatie.criteria import Criteria
from dso_acceptatie.rapport import ACCEPTEREN, EXITCODES, bouw_rapport
from dso_acceptatie.records import lees_records
from tests.rapport.generator import controle, maak_run

PROJECT = Path(__file__).resolve().parents[2]

GOED = json.dumps(controle()).encode()
REGELS = st.one_of(
    st.binary(max_size=60),
    st.just(GOED),
    st.builds(lambda status, ernst: json.dumps(controle(status=status, ernst=ernst)).encode(),
              st.sampled_from(["geslaagd", "gefaald", "GEFAALD", 1, None]),
              st.sampled_from(["informatief", "ernstig", "kritiek"])),
    st.builds(lambda r: json.dumps(r).encode(), st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda kind: st.lists(kind, max_size=3) | st.dictionaries(st.text(max_size=5), kind, max_size=3),
        max_leaves=6)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regels=st.lists(REGELS, min_size=1, max_size=5), slot=st.sampled_from([b"", b"\n"]))
def test_willekeurige_bytes_geven_een_oordeel_en_nooit_accepteren_over_onleesbaars(
        tmp_path_factory, regels, slot):
    # one passing check in its own file, so an unreadable line is the only thing in the way
    run_map = maak_run(tmp_path_factory.mktemp("runs"), [controle(), controle(controle="b")])
    (run_map / "records" / "fuzz.jsonl").write_bytes(b"\n".join(regels) + slot)
    rapport = bouw_rapport(run_map, Criteria(), None, PROJECT / "rollen.toml",
                           vergelijk_met_vorige=False)
    assert rapport.oordeel in EXITCODES and rapport.exitcode == EXITCODES[rapport.oordeel]
    onleesbaar = [r for r in lees_records(run_map) if r["controle"] == "record-leesbaar"]
    if onleesbaar:
        assert rapport.oordeel != ACCEPTEREN
    assert json.loads((run_map / "rapport.json").read_text(encoding="utf-8"))["oordeel"] == rapport.oordeel

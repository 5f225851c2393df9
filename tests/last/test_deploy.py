"""deploy/: the worker image and the Kubernetes manifest stay in step with the project (same
locust as the master, pinned dependencies from requirements.lock, the journeys the phase runs)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dso_acceptatie.fasen.last.fase import REIZEN, STANDAARD_MASTER_POORT

ROOT = Path(__file__).resolve().parents[2]


def lock(naam: str) -> str:
    [versie] = re.findall(rf"^{naam}==(\S+)", (ROOT / "requirements.lock").read_text("utf-8"),
                          re.MULTILINE | re.IGNORECASE)
    return versie


def test_image_op_dezelfde_locust_en_vastgepinde_pakketten():
    tekst = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert f"FROM locustio/locust:{lock('locust')}\n" in tekst
    for naam in ("jsonschema", "orjson"):
        assert f"{naam}=={lock(naam)}" in tekst
    reizen = ",".join(f"load/{r}" for r in REIZEN)
    assert f'"-f", "{reizen}"' in tekst and '"--worker"' in tekst
    for bron in re.findall(r"^COPY (\S+) ", tekst, re.MULTILINE):
        assert (ROOT / bron).is_dir(), bron


def test_kubernetes_manifest():
    [deployment] = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "werkers.yaml").read_text("utf-8")))
    assert deployment["kind"] == "Deployment"
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"dso-last-werker:{lock('locust')}"
    args = container["args"]
    assert args[args.index("--master-port") + 1] == str(STANDAARD_MASTER_POORT) and "--master-host" in args
    # the key only from a Secret, never as a literal value
    assert all("value" not in e and "secretKeyRef" in e["valueFrom"] for e in container["env"])
    assert container["resources"]["limits"]["cpu"]

"""Benchmark: requests per second of the load generator itself.

    .venv/bin/python benchmarks/last.py doorvoer [--duur 15] [--gebruikers 100] [--workers 1,2,4]
    (or directly: .venv/bin/python benchmarks/last_doorvoer.py …)

1. Ours against bare: our journey machinery (``DsoGebruiker.vraag`` from
   src/dso_acceptatie/fasen/last/locust_steun.py: per-service limiter, key header, checked status,
   JSON parsed) against a bare locust ``FastHttpUser`` doing the same ``GET /suggest`` with the
   same headers and the same pacing (constant throughput, 50/s per user, far above what one
   process makes, so both run flat out). One locust process each. Goal: ours ≥ 0.9 × bare.
   A third variant, bare + JSON, reads the answer as our journeys do: the gap between it and
   ours is the harness's own overhead, the rest is the check of the answer. Both the wall-clock
   rate and requests per CPU second of the locust process (os.wait4) are printed: on a machine
   shared with other work the first measures the neighbours too.
2. Per worker process and scaling: our user class with a master and 1, 2, 4 local workers
   (locust's own protocol, as ``--workers N``); total requests/s of the master and per worker.

The target must not be the bottleneck, or both sides just measure the target: a canned HTTP
server in its own process (asyncio, keep-alive) answers every request with the real body of the
reference LV's ``/suggest`` (fetched once at the start from a real reference LV). Everything on
127.0.0.1. Prints figures and the machine load; judges nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402 - after the path of the checkout

from dso_acceptatie.diensten import DIENSTEN  # noqa: E402
from dso_acceptatie.referentie import ReferentieLV  # noqa: E402

BASIS = DIENSTEN["locatieserver"].basispad
PARAMS = "q=Marktplein+1&rows=5"

SERVER = textwrap.dedent('''
    import asyncio, sys
    body = open(sys.argv[1], "rb").read()
    antwoord = (b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: "
                + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)

    class Canned(asyncio.Protocol):
        def connection_made(self, transport):
            self.t, self.buf = transport, b""
        def data_received(self, data):
            self.buf += data
            while b"\\r\\n\\r\\n" in self.buf:      # GET only: no request body
                _, self.buf = self.buf.split(b"\\r\\n\\r\\n", 1)
                self.t.write(antwoord)

    async def main():
        server = await asyncio.get_running_loop().create_server(Canned, "127.0.0.1", int(sys.argv[2]))
        print("klaar", flush=True)
        await server.serve_forever()

    asyncio.run(main())
''')

ONS = textwrap.dedent('''
    from locust import task
    from dso_acceptatie.fasen.last.locust_steun import DsoGebruiker

    class Ons(DsoGebruiker):
        @task
        def suggest(self):
            with self.vraag("locatieserver", "GET", "/suggest", params={"q": "Marktplein 1", "rows": 5}) as r:
                r.json()["response"]["docs"][0]["weergavenaam"]
''')

KAAL = textwrap.dedent(f'''
    import os
    from locust import FastHttpUser, constant_throughput, task

    class Kaal(FastHttpUser):
        wait_time = constant_throughput(50)

        def on_start(self):
            self.h = {{"Accept": "application/hal+json, application/json;q=0.9",
                       "x-api-key": os.environ["BENCH_SLEUTEL"]}}

        @task
        def suggest(self):
            self.client.get("{BASIS}/suggest?{PARAMS}", headers=self.h,
                            name="locatieserver GET /suggest")
''')

# the bare user that also reads the answer as our journeys do (JSON, one field): what is left
# between this one and ours is the harness's own overhead
KAAL_JSON = KAAL.replace("class Kaal(", "class KaalJson(").replace(
    'name="locatieserver GET /suggest")',
    'name="locatieserver GET /suggest").json()["response"]["docs"][0]["weergavenaam"]')

SLO = textwrap.dedent('''
    [profielen.bench]
    gebruikers = 200
    spawnsnelheid = 200
    duur_s = 60
    reizen_per_gebruiker_per_s = 50
''')


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aggregaat(prefix: Path) -> tuple[int, int, float]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        for rij in csv.DictReader(f):
            if rij["Name"] == "Aggregated":
                return int(rij["Request Count"]), int(rij["Failure Count"]), float(rij["Requests/s"])
    raise RuntimeError(f"geen Aggregated-regel in {prefix}_stats.csv")


def cpu_tijd(proces: subprocess.Popen, timeout: float) -> float:
    """Wait for ``proces``; its user + system CPU seconds (os.wait4). On a machine shared with
    other work the wall-clock rate measures the neighbours too; requests per CPU second do not."""
    einde = time.monotonic() + timeout
    while True:
        pid, status, gebruik = os.wait4(proces.pid, os.WNOHANG)
        if pid:
            proces.returncode = os.waitstatus_to_exitcode(status)
            return gebruik.ru_utime + gebruik.ru_stime
        if time.monotonic() > einde:
            proces.terminate()
        time.sleep(0.2)


def locust(map_: Path, naam: str, bestand: Path, origin: str, args: argparse.Namespace,
           ons: bool, werkers: int = 0) -> dict:
    prefix = map_ / naam
    basis = [sys.executable, "-m", "locust", "-f", str(bestand), "--host", origin]
    extra = (["--profiel", "bench", "--slo", str(map_ / "slo.toml"), "--sleutel-variabele", "BENCH_SLEUTEL",
              "--diensten", json.dumps({"locatieserver": origin + BASIS})] if ons else [])
    cmd = basis + ["--headless", "--only-summary", "-u", str(args.gebruikers), "-r", str(args.gebruikers),
                   "-t", f"{args.duur}s", "--csv", str(prefix), "--stop-timeout", "2"] + extra
    werker_cmds = []
    if werkers:
        poort = vrije_poort()
        verslag = map_ / f"{naam}_verslag"
        cmd += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(poort),
                "--expect-workers", str(werkers), "--werkerverslag", str(verslag)]
        werker_cmds = [basis + ["--worker", "--master-host", "127.0.0.1", "--master-port", str(poort)] + extra
                       for _ in range(werkers)]
    load_voor = os.getloadavg()[0]
    with open(map_ / f"{naam}.log", "wb") as log:
        master = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        procs = [subprocess.Popen(c, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT) for c in werker_cmds]
        cpu = cpu_tijd(master, args.duur + 120)
        cpu_werkers = [cpu_tijd(p, 15) for p in procs]
    n, fouten, rps = aggregaat(prefix)
    # the load generator's own CPU seconds: with a distributed run only the workers send
    verzenders = cpu_werkers or [cpu]
    uit = {"naam": naam, "verzoeken": n, "fouten": fouten, "per_s": rps, "load": load_voor,
           "per_cpu_s": n / sum(verzenders) if sum(verzenders) else 0.0}
    if werkers:
        master_json = json.loads((map_ / f"{naam}_verslag" / "master.json").read_text("utf-8"))
        uit["per_werker_per_s"] = [v / args.duur for v in master_json["per_werker"].values()]
    return uit


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duur", type=int, default=15, help="seconden per meting (standaard 15)")
    p.add_argument("--gebruikers", type=int, default=100, help="gebruikers per meting (standaard 100)")
    p.add_argument("--workers", default="1,2,4", help="aantallen workers (standaard 1,2,4)")
    p.add_argument("--herhaal", type=int, default=3, help="metingen per variant (de mediaan telt)")
    args = p.parse_args(argv)
    sleutel = "bench-" + secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="bench-doorvoer-") as tmp:
        map_ = Path(tmp)
        with ReferentieLV(api_sleutel=sleutel, data_map=map_ / "data", log=map_ / "referentie.log") as lv:
            body = httpx.get(f"{lv.origin}{BASIS}/suggest?{PARAMS}", headers={"x-api-key": sleutel},
                             timeout=30).content
        (map_ / "body.json").write_bytes(body)
        (map_ / "server.py").write_text(SERVER, encoding="utf-8")
        (map_ / "ons.py").write_text(ONS, encoding="utf-8")
        (map_ / "kaal.py").write_text(KAAL, encoding="utf-8")
        (map_ / "kaal_json.py").write_text(KAAL_JSON, encoding="utf-8")
        (map_ / "slo.toml").write_text(SLO, encoding="utf-8")
        poort = vrije_poort()
        server = subprocess.Popen([sys.executable, str(map_ / "server.py"), str(map_ / "body.json"), str(poort)],
                                  stdout=subprocess.PIPE, text=True)
        os.environ["BENCH_SLEUTEL"] = sleutel
        try:
            server.stdout.readline()
            origin = f"http://127.0.0.1:{poort}"
            print(f"doel: vaste antwoorden ({len(body)} bytes, de echte /suggest van de referentie) op {origin}; "
                  f"{args.gebruikers} gebruikers, {args.duur} s per meting, {os.cpu_count()} cores, "
                  f"load bij de start {os.getloadavg()[0]:.1f}\n")
            metingen = {}
            for i in range(args.herhaal):
                for naam, bestand, ons in (("kaal", "kaal.py", False), ("kaal+json", "kaal_json.py", False),
                                           ("ons", "ons.py", True)):
                    m = locust(map_, f"{naam}{i}", map_ / bestand, origin, args, ons)
                    print(f"  {naam:<9} #{i + 1}: {m['per_s']:8.0f} verzoeken/s, {m['per_cpu_s']:6.0f} per "
                          f"CPU-seconde ({m['verzoeken']} verzoeken, {m['fouten']} fouten; load vooraf "
                          f"{m['load']:.1f})")
                    metingen.setdefault(naam, []).append(m)
            for maat, uitleg in (("per_cpu_s", "verzoeken per CPU-seconde van locust"),
                                 ("per_s", "verzoeken per seconde (wandklok)")):
                ons = median(m[maat] for m in metingen["ons"])
                for ander in ("kaal", "kaal+json"):
                    kaal = median(m[maat] for m in metingen[ander])
                    print(f"ons / {ander}, {uitleg}, mediaan van {args.herhaal}: {ons:.0f} / {kaal:.0f} = "
                          f"{ons / kaal:.2f}" + (" (doel ≥ 0.9)" if ander == "kaal" else ""))
            print(f"\n{'workers':>7} {'totaal/s':>9} {'per CPU-s':>10} {'per worker/s':>24} {'fouten':>7} {'load':>5}")
            for n in (int(x) for x in args.workers.split(",")):
                m = locust(map_, f"werkers{n}", map_ / "ons.py", origin, args, True, werkers=n)
                per = ", ".join(f"{x:.0f}" for x in m["per_werker_per_s"])
                print(f"{n:>7} {m['per_s']:>9.0f} {m['per_cpu_s']:>10.0f} {per:>24} {m['fouten']:>7} "
                      f"{m['load']:>5.1f}")
        finally:
            server.terminate()
            server.wait()
            server.stdout.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Hostile input never bends the verdict: a rule set that could not run on a file blocks the
delivery, a DOCTYPE does not switch the rules off, odd file names and DTD entities give a Dutch
message that names the file. Exit codes of `dso-acceptatie levering`: 0 / 1 / 2."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from dso_acceptatie.leveringen import OnleesbareInvoer, OnveiligeInvoer, valideer
from dso_acceptatie.leveringen.model import NIET_UITGEVOERD

from .helpers import GEMEENTESTAD, IMRO, STTR, UNITTESTS, VOORBEELDEN, lokale_server

VIJANDIG = Path(__file__).parent / "vijandig"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "dso_acceptatie", "levering", *args],
                          check=False, capture_output=True, text=True, timeout=180)


def _niet_uitgevoerd(u):
    return [b for b in u.bevindingen if b.code == NIET_UITGEVOERD]


# --- 1. DOCTYPE: the rules still run, and the DTD itself blocks ------------------------------

def test_doctype_met_externe_dtd_schakelt_de_regels_niet_uit():
    r = _cli(str(VIJANDIG / "doctype-extern.xml"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Oordeel: afgekeurd" in r.stdout
    assert "[fout] XML-DOCTYPE — doctype-extern.xml, regel 2" in r.stdout
    assert "leeg.dtd" in r.stdout
    # The rules ran on the file (without the declaration), line numbers of the original.
    assert "[fout] STOP0005 — doctype-extern.xml, regel 11" in r.stdout


def test_doctype_met_interne_subset_en_misleidende_haken():
    u = valideer(VIJANDIG / "doctype-intern.xml")
    assert u.oordeel == "afgekeurd"
    (doctype,) = [b for b in u.bevindingen if b.code == "XML-DOCTYPE"]
    assert doctype.ernst == "fout" and "interne DTD-subset" in doctype.bericht
    assert doctype.regel == 3 and doctype.bestand == "doctype-intern.xml"
    (leeg,) = [b for b in u.bevindingen if b.code == "STOP0005"]
    assert leeg.regel == 14
    assert not _niet_uitgevoerd(u)


def _in_codering(pad, codering: str, verklaard: str | None = None,
                 bron=VIJANDIG / "doctype-extern.xml"):
    tekst = bron.read_text(encoding="utf-8").replace(
        'encoding="UTF-8"', f'encoding="{verklaard or codering.upper()}"').replace("Tekst", "Tékst")
    bom = b"\xfe\xff" if codering == "utf-16be" else b""     # "utf-16" writes its own
    pad.write_bytes(bom + tekst.encode(codering))
    return pad


@pytest.mark.parametrize("codering", ["utf-16", "utf-16be", "iso-8859-1"])
def test_doctype_in_andere_tekstcodering(tmp_path, codering):
    u = valideer(_in_codering(tmp_path / "codering.xml", codering))
    assert {"XML-DOCTYPE", "STOP0005"} <= u.codes("fout"), [b.bericht for b in _niet_uitgevoerd(u)]
    assert not _niet_uitgevoerd(u)
    assert next(b for b in u.bevindingen if b.code == "STOP0005").regel == 11


def test_bestand_dat_lxml_leest_en_saxon_niet_blokkeert(tmp_path):
    """A real case, no mocking: libxml2 accepts the encoding name 'UTF-16-BE', Saxon's parser
    does not. The Schematron rules cannot run, so the file cannot be approved."""
    goed = UNITTESTS / "STOP0005" / "alinea-met-inhoud-goed.xml"     # no DOCTYPE, no errors
    u = valideer(_in_codering(tmp_path / "be.xml", "utf-16be", "UTF-16-BE", goed))
    niet = _niet_uitgevoerd(u)
    assert niet and u.oordeel == "afgekeurd"
    assert all(b.bestand == "be.xml" and ".sch" in b.regelset for b in niet)


def test_lege_doctype_is_alleen_een_waarschuwing():
    r = _cli(str(VIJANDIG / "doctype-leeg.xml"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[waarschuwing] XML-DOCTYPE — doctype-leeg.xml, regel 2" in r.stdout


def test_doctype_in_een_echt_besluit_met_fouten(tmp_path):
    """The issue's case: one DOCTYPE line in a besluit that breaks rules used to give goedgekeurd."""
    lev = tmp_path / "lev"
    shutil.copytree(GEMEENTESTAD, lev)
    besluit = lev / "akn_nl_bill_gm0297-3520-01.xml"
    decl, rest = besluit.read_text(encoding="utf-8").split("\n", 1)
    rest = rest.replace("<Al>", "<Al></Al><Al>", 3)
    besluit.write_text(f'{decl}\n<!DOCTYPE AanleveringBesluit SYSTEM "leeg.dtd">\n{rest}',
                       encoding="utf-8")
    u = valideer(lev)
    assert u.oordeel == "afgekeurd"
    assert {b.bestand for b in u.bevindingen if b.code in ("XML-DOCTYPE", "STOP0005")} == {
        besluit.name}
    assert len([b for b in u.bevindingen if b.code == "STOP0005"]) == 3
    assert not _niet_uitgevoerd(u)


# --- 1. any rule set that could not run blocks, naming file and rule set ---------------------

def test_saxon_weigert_het_bestand_geeft_blokkerende_bevinding_per_regelset(monkeypatch):
    """Without the work-copy fix Saxon refuses the DOCTYPE: that must block, never pass."""
    from dso_acceptatie.leveringen import veilig

    monkeypatch.setattr(veilig, "neutraliseer_doctype", lambda pad, naam: ("<!DOCTYPE>", 2))
    u = valideer(VIJANDIG / "doctype-extern.xml")
    niet = _niet_uitgevoerd(u)
    assert niet and u.oordeel == "afgekeurd"
    assert all(b.ernst == "fout" and b.bestand == "doctype-extern.xml" for b in niet)
    assert any(b.regelset.endswith("imop-tekst.sch") for b in niet)
    assert all("kon niet op dit bestand worden uitgevoerd" in b.bericht for b in niet)


def test_xsd_die_niet_kan_draaien_blokkeert(monkeypatch):
    from dso_acceptatie.leveringen import xsd

    def kapot(boom, pad):
        raise etree.XMLSchemaValidateError("Internal error in XML Schema validation.")

    monkeypatch.setattr(xsd, "valideer", kapot)
    u = valideer(UNITTESTS / "STOP0005" / "alinea-met-inhoud-goed.xml")
    (b,) = _niet_uitgevoerd(u)
    assert u.oordeel == "afgekeurd" and b.bestand == "alinea-met-inhoud-goed.xml"
    assert "XSD" in b.regelset and "Internal error" in b.bericht


def test_stop_namespace_zonder_schema_blokkeert(tmp_path):
    pad = tmp_path / "nieuw.xml"
    pad.write_text('<Iets xmlns="https://standaarden.overheid.nl/stop/imop/bestaat-niet/"/>')
    u = valideer(pad)
    (b,) = _niet_uitgevoerd(u)
    assert u.oordeel == "afgekeurd" and b.bestand == "nieuw.xml" and "geen STOP/LVBB" in b.bericht


def test_schematron_zonder_rapport_blokkeert(monkeypatch):
    from dso_acceptatie.leveringen import schematron

    monkeypatch.setattr(schematron.SaxonRegelset, "voer_uit",
                        lambda self, bestand: schematron.lees_svrl("", verplicht=True))
    u = valideer(VOORBEELDEN / "tpod-1.0" / "Test_TPOD1700")
    niet = _niet_uitgevoerd(u)
    assert niet and u.oordeel == "afgekeurd"
    assert {b.regelset for b in niet} >= {"TPOD-validaties 1.0.6"}
    assert all(b.bestand for b in niet)


def test_imro_schematron_die_niet_kan_draaien_blokkeert(monkeypatch):
    from dso_acceptatie.leveringen import imro, schematron

    def kapot(sch, boom, strikt=True):
        raise schematron.RegelsetFout("de regelset gaf geen rapport")

    monkeypatch.setattr(imro, "voer_lxml_uit", kapot)
    from datetime import date
    u = valideer(IMRO / "RW-2025-7b.gml", peildatum=date(2026, 2, 1))
    (b,) = _niet_uitgevoerd(u)
    assert u.oordeel == "afgekeurd" and b.bestand == "RW-2025-7b.gml"
    assert b.regelset == "IMRO 2012 TAM v0.14"


def test_sttr_controle_die_breekt_blokkeert(monkeypatch):
    from dso_acceptatie.leveringen import sttr

    def kapot(b, bev):
        raise RecursionError("te diep")

    monkeypatch.setattr(sttr, "_dmn", kapot)
    u = valideer(STTR / "Conclusie Kappen van een boom - Initiele versie.zip")
    niet = _niet_uitgevoerd(u)
    assert niet and u.oordeel == "afgekeurd" and all(b.bestand.endswith(".dmn") for b in niet)


def test_lege_svrl_is_geen_geslaagde_controle():
    from dso_acceptatie.leveringen.schematron import RegelsetFout, lees_svrl

    with pytest.raises(RegelsetFout):
        lees_svrl("", verplicht=True)
    with pytest.raises(RegelsetFout):
        lees_svrl("<html/>", verplicht=True)


# --- 3. external DTD + entity reference --------------------------------------------------------

def test_entiteit_uit_externe_dtd_wordt_geweigerd_met_bestandsnaam():
    r = _cli(str(VIJANDIG / "externe-dtd-entiteit.xml"))
    assert r.returncode == 2
    assert "externe-dtd-entiteit.xml, regel 9" in r.stderr and "&tekst;" in r.stderr
    assert "interne fout" not in r.stderr and "Traceback" not in r.stderr


def test_externe_dtd_wordt_niet_opgehaald(tmp_path):
    with lokale_server(b'<!ENTITY tekst "opgehaald">') as (basis, hits):
        url = f"{basis}x.dtd"
        pad = tmp_path / "dtd.xml"
        pad.write_text((VIJANDIG / "externe-dtd-entiteit.xml").read_text(encoding="utf-8")
                       .replace("leeg.dtd", url), encoding="utf-8")
        with pytest.raises(OnveiligeInvoer) as e:
            valideer(pad)
        assert e.value.bestand == "dtd.xml" and url in e.value.bericht
        pad.write_text((VIJANDIG / "doctype-extern.xml").read_text(encoding="utf-8")
                       .replace("leeg.dtd", url), encoding="utf-8")
        assert valideer(pad).oordeel == "afgekeurd"
    assert hits == []


# --- 2. file names that are not UTF-8 or carry control characters -----------------------------

GOED = (UNITTESTS / "STOP0005" / "alinea-met-inhoud-goed.xml").read_bytes()


def test_niet_utf8_bestandsnaam_in_map(tmp_path):
    lev = tmp_path / "lev"
    lev.mkdir()
    with open(os.path.join(os.fsencode(lev), b"\xff.xml"), "wb") as f:
        f.write(GOED)
    r = _cli(str(lev))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "\\xff.xml" in r.stderr and "UTF-8" in r.stderr
    assert "interne fout" not in r.stderr and "Traceback" not in r.stderr


def test_niet_utf8_pad_als_argument(tmp_path):
    """The user's own path may be anything; it is shown escaped, also in JSON."""
    lev = os.path.join(os.fsencode(tmp_path), b"lev-\xfe")
    os.mkdir(lev)
    with open(os.path.join(lev, b"goed.xml"), "wb") as f:
        f.write(GOED)
    r = subprocess.run([sys.executable, "-m", "dso_acceptatie", "levering", lev], check=False,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and "Levering: " in r.stdout and "lev-\\xfe" in r.stdout, r.stderr
    with open(os.path.join(lev, b"\xff.xml"), "wb") as f:
        f.write(GOED)
    r = subprocess.run([sys.executable, "-m", "dso_acceptatie", "levering", lev, "--json"],
                       check=False, capture_output=True, text=True, timeout=180)
    assert r.returncode == 2 and json.loads(r.stdout)["bestand"] == "\\xff.xml", r.stderr
    assert json.loads(r.stdout)["pad"].endswith("lev-\\xfe")


def test_zip_met_utf8_vlag_en_onleesbare_naam(tmp_path):
    pad = tmp_path / "vlag.zip"
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr("aaaa.xml", GOED)
    data = bytearray(pad.read_bytes())
    for _ in range(2):                       # local header and central directory
        i = data.find(b"aaaa.xml")
        data[i:i + 4] = b"\xff\xfe\xfd\xfc"
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 9] |= 0x08                     # general purpose flag bit 11: name is UTF-8
    pad.write_bytes(bytes(data))
    r = _cli(str(pad))
    assert r.returncode == 2 and "vlag.zip" in r.stderr and "\\xff\\xfe\\xfd\\xfc.xml" in r.stderr
    assert "interne fout" not in r.stderr


def test_stuurteken_in_bestandsnaam(tmp_path):
    lev = tmp_path / "lev"
    lev.mkdir()
    (lev / "rood\x1b[31m.xml").write_bytes(GOED)
    with pytest.raises(OnveiligeInvoer) as e:
        valideer(lev)
    assert e.value.bestand == "rood\\x1b[31m.xml" and "stuurteken" in e.value.bericht
    pad = tmp_path / "stuur.zip"
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr("a\nb.xml", GOED)
    with pytest.raises(OnveiligeInvoer) as e:
        valideer(pad)
    assert e.value.bestand == "stuur.zip!a\\x0ab.xml"


def test_invoerfout_toont_nooit_rauwe_bytes():
    e = OnleesbareInvoer("x", "map/\udcff\u202e.xml")
    assert str(e).startswith("map/\\xff\\u202e.xml")


# --- 4. memory: one file's tree at a time ------------------------------------------------------

def test_hoogstens_een_boom_tegelijk_met_dezelfde_uitkomst(monkeypatch):
    """With no room for kept trees the validator parses again when needed: same findings, and
    never more than one parsed tree at a time."""
    from dso_acceptatie.leveringen import levering
    from dso_acceptatie.leveringen.veilig import Limieten

    gemaakt = []

    class Geteld(levering.Bomen):
        def __init__(self, limieten):
            super().__init__(limieten)
            gemaakt.append(self)

    def samenvatting(u):
        return sorted((b.code, b.ernst, b.bestand or "", b.regel or 0) for b in u.bevindingen)

    monkeypatch.setattr(levering, "Bomen", Geteld)
    for lev in (VOORBEELDEN / "tpod-1.0" / "Test_TPOD1700", STTR, GEMEENTESTAD):
        ruim = valideer(lev)
        krap = valideer(lev, limieten=Limieten(max_geparseerd=0))
        assert samenvatting(krap) == samenvatting(ruim)
        assert gemaakt[-1].hoogste == 1 and gemaakt[-2].hoogste > 1


# VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across fork+exec, so a child of a big
# pytest worker would report the worker's peak. VmHWM belongs to the child's own memory.
_VMHWM = "print(next(r.split()[1] for r in open('/proc/self/status') if r.startswith('VmHWM')))"
_PIEK = """
import sys
from dso_acceptatie.leveringen import valideer
u = valideer(sys.argv[1])
""" + _VMHWM
_PIEK_BOOM = """
import sys
from lxml import etree
boom = etree.parse(sys.argv[1])
""" + _VMHWM


def _piek_kb(pad, code: str = _PIEK) -> int:
    r = subprocess.run([sys.executable, "-c", code, str(pad)], check=True, capture_output=True,
                       text=True, timeout=300)
    return int(r.stdout.split()[-1])


def test_geheugen_groeit_niet_met_het_aantal_bestanden(tmp_path):
    """Loose on purpose: four 10 MB files must not cost four 10 MB trees (they used to).

    Compared by difference (four files minus one), so the peak of Saxon on the STOP file — which
    varies with the machine and can exceed one tree — cancels out."""
    element = b"<e a='1'>tekst</e>"
    blok = element * 10_000
    for aantal in (1, 4):
        lev = tmp_path / f"lev{aantal}"
        lev.mkdir()
        (lev / "tekst.xml").write_bytes(GOED)     # one file of a known standard
        for i in range(aantal):
            with open(lev / f"f{i}.xml", "wb") as f:
                f.write(b"<r xmlns='urn:onbekend'>")
                for _ in range(10 * 1024 * 1024 // len(blok)):
                    f.write(blok)
                f.write(b"</r>")
    # the test measures something: one parsed tree of such a file costs > 20 MB
    boom = _piek_kb(tmp_path / "lev1" / "f0.xml", _PIEK_BOOM) - _piek_kb(tmp_path / "lev1" / "tekst.xml", _PIEK_BOOM)
    assert boom > 20_000, boom
    een = _piek_kb(tmp_path / "lev1")
    vier = _piek_kb(tmp_path / "lev4")
    # holding the three extra trees at once would add 3 × boom
    assert vier - een < boom, (boom, een, vier)

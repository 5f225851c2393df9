"""Hostile deliveries: every attack is refused with a Dutch message naming file and problem."""

import os
import zipfile

import pytest

from dso_acceptatie.leveringen import (
    OnleesbareInvoer,
    OnveiligeInvoer,
    aanvallen,
    valideer,
)
from dso_acceptatie.leveringen.veilig import Limieten

from .helpers import lokale_server


def _weiger(pad, **kw):
    with pytest.raises(OnveiligeInvoer) as e:
        valideer(pad, **kw)
    return e.value


def test_zip_slip(tmp_path):
    e = _weiger(aanvallen.zip_slip(tmp_path))
    assert e.bestand == "zip-slip.zip!../../buiten-de-map.xml" and "'..'" in e.bericht
    assert not (tmp_path.parent / "buiten-de-map.xml").exists()


def test_zip_absoluut_pad(tmp_path):
    e = _weiger(aanvallen.zip_absoluut(tmp_path))
    assert "absoluut pad" in e.bericht and e.bestand.endswith("/tmp/absoluut-pad.xml")


def test_zip_symlink(tmp_path):
    e = _weiger(aanvallen.zip_symlink(tmp_path))
    assert "symbolische koppeling" in e.bericht and "link-naar-passwd.xml" in e.bestand


def test_zip_bom_compressieverhouding(tmp_path):
    e = _weiger(aanvallen.zip_bom(tmp_path, megabytes=20))   # under the size limit: ratio
    assert "compressieverhouding" in e.bericht and "zip-bom" in e.bericht
    assert e.bestand == "zip-bom.zip!bom.xml"


def test_zip_bom_grootte(tmp_path):
    e = _weiger(aanvallen.zip_bom(tmp_path, megabytes=80))
    assert "grens" in e.bericht and "bytes per bestand" in e.bericht


def test_zip_totale_grootte(tmp_path):
    pad = tmp_path / "groot.zip"
    with zipfile.ZipFile(pad, "w") as z:
        for i in range(3):
            z.writestr(f"f{i}.xml", b"<x/>" + b" " * 4000)
    e = _weiger(pad, limieten=Limieten(max_totaal=10000))
    assert "uitgepakt" in e.bericht and e.bestand == "groot.zip"


def test_zip_aantal_items(tmp_path):
    e = _weiger(aanvallen.zip_aantal(tmp_path, aantal=60), limieten=Limieten(max_aantal=50))
    assert "60 items" in e.bericht and e.bestand == "zip-aantal.zip"


def test_zip_liegt_over_grootte(tmp_path):
    """A header that understates the size: counting while unpacking catches it."""
    pad = tmp_path / "liegt.zip"
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr("a.xml", b"<x>" + b"a" * 5000 + b"</x>")
    data = bytearray(pad.read_bytes())
    # Patch the uncompressed size (local header offset 22, central directory +24) to 10 bytes.
    data[22:26] = (10).to_bytes(4, "little")
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    pad.write_bytes(bytes(data))
    with pytest.raises((OnveiligeInvoer, OnleesbareInvoer)) as e:
        valideer(pad)
    assert e.value.bestand == "liegt.zip!a.xml"


def test_entity_bom(tmp_path):
    e = _weiger(aanvallen.entity_bom(tmp_path))
    assert e.bestand == "entity-bom.xml" and e.regel == 2 and "ENTITY" in e.bericht


def test_externe_entiteit_wordt_niet_opgehaald(tmp_path):
    with lokale_server() as (url, hits):
        e = _weiger(aanvallen.externe_entiteit(tmp_path, f"{url}xxe"))
        assert "ENTITY" in e.bericht
    assert hits == []


def test_doctype_zonder_entiteiten_in_utf16_wordt_ook_gezien(tmp_path):
    pad = tmp_path / "u16.xml"
    pad.write_bytes('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
                    .encode("utf-16"))
    assert "ENTITY" in _weiger(pad).bericht


def test_te_groot_bestand(tmp_path):
    pad = tmp_path / "groot.xml"
    pad.write_bytes(b"<x>" + b" " * 2000 + b"</x>")
    e = _weiger(pad, limieten=Limieten(max_bestand=1000))
    assert e.bestand == "groot.xml" and "grens" in e.bericht


def test_symlink_in_map(tmp_path):
    lev = tmp_path / "lev"
    lev.mkdir()
    os.symlink("/etc/passwd", lev / "passwd.xml")
    e = _weiger(lev)
    assert e.bestand == "passwd.xml" and "symbolische koppeling" in e.bericht


def test_kapotte_xml_noemt_regel_en_kolom(tmp_path):
    with pytest.raises(OnleesbareInvoer) as e:
        valideer(aanvallen.kapotte_xml(tmp_path))
    assert (e.value.bestand, e.value.regel) == ("kapot.xml", 3) and e.value.kolom
    assert "geen welgevormde XML" in e.value.bericht


def test_geen_zip(tmp_path):
    pad = tmp_path / "nep.zip"
    pad.write_bytes(b"dit is geen zip")
    with pytest.raises(OnleesbareInvoer) as e:
        valideer(pad)
    assert "geen geldig zip-bestand" in e.value.bericht and e.value.bestand == "nep.zip"


def test_saxon_haalt_niets_over_het_netwerk(tmp_path):
    """Saxon itself (document() in a rule, DOCTYPE in a source) is locked down too."""
    from saxonche import PySaxonApiError as SaxonApiError

    from dso_acceptatie.leveringen.schematron import saxon

    with lokale_server(b"<a/>") as (url, hits):
        xsl = ("<xsl:stylesheet xmlns:xsl='http://www.w3.org/1999/XSL/Transform' version='2.0'>"
               "<xsl:template match='/'><r><xsl:copy-of select='document(/d/@u)'/></r>"
               "</xsl:template></xsl:stylesheet>")
        (tmp_path / "doc.xml").write_text(f"<d u='{url}doc'/>")
        (tmp_path / "ent.xml").write_text(f'<!DOCTYPE d [<!ENTITY e SYSTEM "{url}ent">]><d u="x">&e;</d>')
        exe = saxon().new_xslt30_processor().compile_stylesheet(stylesheet_text=xsl)
        for naam in ("doc.xml", "ent.xml"):
            with pytest.raises(SaxonApiError):
                exe.transform_to_string(source_file=str(tmp_path / naam))
    assert hits == []


def test_manifest_ow_met_pad_laat_tpod_regels_niets_buiten_de_levering_openen(tmp_path):
    """The TPOD rules open every file manifest-ow names; a path there is refused first."""
    import shutil

    from .helpers import VOORBEELDEN

    lev = tmp_path / "lev"
    shutil.copytree(VOORBEELDEN / "tpod-1.0" / "Test_TPOD1700", lev)
    (lev / "manifest-ow.xml").write_text(
        '<Aanleveringen xmlns="http://www.geostandaarden.nl/bestanden-ow/manifest-ow">'
        "<domein>omgevingswet</domein><Aanlevering><WorkIDRegeling>/akn/nl/act/x</WorkIDRegeling>"
        "<DoelID>/join/id/proces/x</DoelID><Bestand><naam>/etc/passwd</naam>"
        "<objecttype>Activiteit</objecttype></Bestand></Aanlevering></Aanleveringen>",
        encoding="utf-8")
    u = valideer(lev)
    assert "LVBB1004" in u.codes("fout")
    niet = [b for b in u.bevindingen if b.code == "REGELSET-NIET-UITGEVOERD"]
    assert niet and all(b.ernst == "fout" and b.regelset == "TPOD-validaties 1.0.6" for b in niet)
    assert "/etc/passwd" in niet[0].bericht and "niet uitgevoerd" in niet[0].bericht
    assert u.oordeel == "afgekeurd"
    assert not [b for b in u.bevindingen
                if b.regelset == "TPOD-validaties 1.0.6" and b.bron == "saxon-schematron"]


def test_named_pipe_in_map_blokkeert_niet(tmp_path):
    lev = tmp_path / "lev"
    lev.mkdir()
    os.mkfifo(lev / "pijp.xml")
    e = _weiger(lev)
    assert e.bestand == "pijp.xml" and "geen gewoon bestand" in e.bericht

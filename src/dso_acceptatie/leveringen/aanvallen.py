"""Hostile deliveries, generated on the spot: for the phase's self-check and for the tests.

Each returns the path of the file it wrote into ``map_``. Small on disk, nasty when handled
naively (the zip bomb is ~100 KB and claims 200 MB unpacked).
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

KLEIN_XML = b'<?xml version="1.0"?><x xmlns="https://standaarden.overheid.nl/stop/imop/tekst/"/>'


def zip_slip(map_: Path) -> Path:
    pad = map_ / "zip-slip.zip"
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr("opdracht.xml", KLEIN_XML)
        z.writestr("../../buiten-de-map.xml", KLEIN_XML)
    return pad


def zip_absoluut(map_: Path) -> Path:
    pad = map_ / "zip-absoluut.zip"
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr("/tmp/absoluut-pad.xml", KLEIN_XML)  # noqa: S108 -- the absolute entry name is the attack; nothing is written there
    return pad


def zip_symlink(map_: Path) -> Path:
    pad = map_ / "zip-symlink.zip"
    info = zipfile.ZipInfo("link-naar-passwd.xml")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(pad, "w") as z:
        z.writestr(info, "/etc/passwd")
    return pad


def zip_bom(map_: Path, megabytes: int = 200) -> Path:
    pad = map_ / "zip-bom.zip"
    blok = b"\0" * (1024 * 1024)
    with (zipfile.ZipFile(pad, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z,
          z.open("bom.xml", "w", force_zip64=True) as f):
        for _ in range(megabytes):
            f.write(blok)
    return pad


def zip_aantal(map_: Path, aantal: int = 6000) -> Path:
    pad = map_ / "zip-aantal.zip"
    with zipfile.ZipFile(pad, "w") as z:
        for i in range(aantal):
            z.writestr(f"f{i}.xml", KLEIN_XML)
    return pad


def entity_bom(map_: Path) -> Path:
    pad = map_ / "entity-bom.xml"
    regels = ['<?xml version="1.0"?>', "<!DOCTYPE lol [", ' <!ENTITY lol "lol">']
    for i in range(1, 10):
        vorige = f"&lol{i - 1};" if i > 1 else "&lol;"
        regels.append(f' <!ENTITY lol{i} "{vorige * 10}">')
    regels += ["]>", '<Al xmlns="https://standaarden.overheid.nl/stop/imop/tekst/">&lol9;</Al>']
    pad.write_text("\n".join(regels), encoding="utf-8")
    return pad


def externe_entiteit(map_: Path, url: str = "file:///etc/passwd") -> Path:
    pad = map_ / "externe-entiteit.xml"
    pad.write_text('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "' + url + '">]>\n'
                   '<Al xmlns="https://standaarden.overheid.nl/stop/imop/tekst/">&xxe;</Al>',
                   encoding="utf-8")
    return pad


def kapotte_xml(map_: Path) -> Path:
    pad = map_ / "kapot.xml"
    pad.write_text('<?xml version="1.0"?>\n<Divisietekst xmlns="https://standaarden.overheid.nl/'
                   'stop/imop/tekst/">\n  <Kop><Opschrift>Tekst</Kop>\n</Divisietekst>\n',
                   encoding="utf-8")
    return pad


_LEGE_ALINEA = ('<Divisietekst eId="content_o_1" wId="bgCode_1-0__content_o_1" xmlns='
                '"https://standaarden.overheid.nl/stop/imop/tekst/">\n  <Kop><Opschrift>Tekst'
                '</Opschrift></Kop>\n  <Inhoud><Al></Al><Al>{}</Al></Inhoud>\n</Divisietekst>\n')


def _met_doctype(pad: Path, alinea: str) -> Path:
    pad.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Divisietekst SYSTEM '
                   '"leeg.dtd">\n' + _LEGE_ALINEA.format(alinea), encoding="utf-8")
    return pad


def doctype(map_: Path) -> Path:
    """One DOCTYPE line used to make Saxon refuse the file, so no Schematron rule ran."""
    return _met_doctype(map_ / "doctype.xml", "Tekst")


def dtd_entiteit(map_: Path) -> Path:
    """An entity that only an (external, never loaded) DTD could declare."""
    return _met_doctype(map_ / "dtd-entiteit.xml", "&tekst;")


def naam_niet_utf8(map_: Path) -> Path:
    """A folder with a file whose name is not UTF-8 (b'\\xff.xml')."""
    lev = map_ / "naam-niet-utf8"
    lev.mkdir()
    with open(os.path.join(os.fsencode(lev), b"\xff.xml"), "wb") as f:
        f.write(KLEIN_XML)
    return lev


AANVALLEN = {
    "zip-slip": zip_slip, "zip-absoluut": zip_absoluut, "zip-symlink": zip_symlink,
    "zip-bom": zip_bom, "zip-aantal": zip_aantal, "entity-bom": entity_bom,
    "externe-entiteit": externe_entiteit, "kapotte-xml": kapotte_xml, "doctype": doctype,
    "dtd-entiteit": dtd_entiteit, "naam-niet-utf8": naam_niet_utf8,
}

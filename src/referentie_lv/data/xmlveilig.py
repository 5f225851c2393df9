"""Safe XML parsing for third-party delivery files (no entity expansion, no network, no DTD)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree


def parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


def lees_xml(pad: str | Path) -> etree._ElementTree:
    return etree.parse(str(pad), parser())


def lokaal(el) -> str:
    """Local name of an element (without namespace); '' for comments/PIs/entities."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]

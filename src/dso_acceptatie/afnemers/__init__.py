"""Afnemers: certify a vendor's client while it uses the target (consumer conformance).

``proxy`` records every exchange through a reverse proxy and stages conditions, ``rollen`` reads
the role files (afnemers/rollen/*.toml), ``regels`` judges a recording, ``sessie`` ties it together
for ``dso-acceptatie afnemer``.
"""

"""The contracten phase: every API of a target against its contract.

Per service: the spec (live ``<base>/openapi.json`` or a pinned copy), schemathesis with all its
checks plus the DSO runtime checks (:mod:`.controles`), active probes for authentication and
paging (:mod:`.sondes`), the NL API Design Rules through Spectral (:mod:`.adr`) and Arazzo
workflows (:mod:`.arazzo`). Every verdict is a record per operation and check, so a vendor who
implements part of an API can certify that part. Run as
``python -m dso_acceptatie.fasen.contracten --run-map DIR --doel DIR/doel.json --run-id ID``.
"""

"""A careless client: one proper GET of the path it is given, the same path again with the key
only in the query string (no header), one call to an operation no spec documents, exit code 2."""

import os
import sys

import httpx

basis, pad = os.environ["DSO_BASIS_URL"], sys.argv[1]
sleutel = os.environ["DSO_API_KEY"]
with httpx.Client(timeout=30) as client:
    client.get(basis + pad, headers={"x-api-key": sleutel})
    client.get(basis + pad, params={"api_key": sleutel})
    client.get(basis + pad.rstrip("/") + "/niet/gedocumenteerd/pad", headers={"x-api-key": sleutel})
sys.exit(2)

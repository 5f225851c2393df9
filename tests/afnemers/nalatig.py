"""A client that does almost nothing: one GET on the path it is given, then exits with the given code.

Writes the key it received to the file in $SLEUTEL_BESTAND (outside the run folder), and prints
it, so a test can check that the key appears in no file of the run folder.
"""

import os
import sys

import httpx

pad, code = sys.argv[1], int(sys.argv[2])
sleutel = os.environ["DSO_API_KEY"]
if os.environ.get("SLEUTEL_BESTAND"):
    with open(os.environ["SLEUTEL_BESTAND"], "w", encoding="utf-8") as f:
        f.write(sleutel)
print(f"mijn sleutel is {sleutel}")
antwoord = httpx.get(os.environ["DSO_BASIS_URL"] + pad, headers={"x-api-key": sleutel}, timeout=30)
print(antwoord.status_code)
sys.exit(code)

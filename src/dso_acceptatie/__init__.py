"""dso-acceptatie: conformiteits- en acceptatietests voor het DSO-LV.

The harness reaches every target (the embedded reference LV included) only over HTTP and the
browser. Nothing here imports ``referentie_lv``; :mod:`dso_acceptatie.referentie` starts it as a
separate process.
"""

__version__ = "0.1.0"

"""Referentie-LV: an embedded stand-in for the DSO-LV (APIs and loket pages) on real data.

A separate package and a black box to the harness: the harness only starts it as a process and
talks to it over HTTP and the browser.
"""

__version__ = "0.1.0"

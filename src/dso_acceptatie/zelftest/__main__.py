"""``python -m dso_acceptatie.zelftest``: print the one list of mutations as a Markdown table (the
table in the README section "Zelftest" is this output)."""

from dso_acceptatie.zelftest import mutatietabel

print(mutatietabel())

# The two commands of the README. Each installs what it needs first (scripts/setup.sh).
.PHONY: acceptatie test setup

# Full acceptance run against the embedded reference LV: report path + verdict; exit code 0/1/2/3.
acceptatie: setup
	.venv/bin/dso-acceptatie run $(ARGS)

# The project's own tests (harness and reference LV), browser tests included. The lint gate
# (ruff, pinned in requirements.lock) runs first, so CI fails on a finding.
test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -n 2 $(ARGS)
	.venv/bin/dso-acceptatie zelftest --snel

setup:
	@scripts/setup.sh

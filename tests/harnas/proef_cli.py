"""The real ``dso-acceptatie`` command line, with the test phase ``proef`` registered.

``python -m tests.harnas.proef_cli run --fase proef …`` is a real run (CLI, orchestrator, signal
handling, summary) whose only phase is :mod:`tests.harnas.voorbeeldfase`.
"""

import sys

from dso_acceptatie.fasen import FASEN, Fase

FASEN["proef"] = Fase("proef", "Proeffase", "tests.harnas.voorbeeldfase", 300)

from dso_acceptatie.cli import main  # noqa: E402 - after registering the phase, on purpose

if __name__ == "__main__":
    sys.exit(main())

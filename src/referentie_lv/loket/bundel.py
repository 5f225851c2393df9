"""Bundle the NL Design System component CSS from node_modules into the loket's static folder.

Run after ``npm ci`` when package-lock.json changes: ``python -m referentie_lv.loket.bundel``.
The output is committed, so the loket works on a machine without node_modules or network.
Only the component packages (EUPL-1.2, installed as dependencies of
``@utrecht/component-library-css``) are bundled; the look (colours, fonts, sizes) comes from our
own theme in ``static/loket.css``, because ``@utrecht/design-tokens`` is Utrecht's proprietary
brand ("all rights reserved", its LICENSE.md) and may not be copied into this repository.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Components the loket's templates use, in cascade order (base elements first).
COMPONENTEN = [
    "root", "body", "document", "page", "page-header", "page-body", "page-content", "page-footer",
    "skip-link", "heading-1", "heading-2", "heading-3", "paragraph", "link", "link-list",
    "unordered-list", "ordered-list", "button", "button-link", "form-field", "form-label",
    "form-fieldset", "form-field-description", "form-field-error-message", "textbox", "select",
    "textarea", "radio-button", "checkbox", "alert", "table", "breadcrumb-nav", "data-list",
    "status-badge", "separator", "code", "article",
]

STATIC = Path(__file__).resolve().parent / "static"
DOEL = STATIC / "nlds-componenten.css"


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def bundel(node_modules: Path) -> str:
    delen = [("/* Gebundeld door referentie_lv.loket.bundel uit node_modules; niet met de hand wijzigen.\n"
             "   Bron: npm-pakketten @utrecht/<component>-css (EUPL-1.2), zie NOTICE. */\n")]
    for naam in COMPONENTEN:
        pakket = node_modules / "@utrecht" / f"{naam}-css"
        versie = json.loads((pakket / "package.json").read_text(encoding="utf-8"))["version"]
        css = (pakket / "dist" / "index.css").read_text(encoding="utf-8")
        delen.append(f"\n/* ---- @utrecht/{naam}-css {versie} ---- */\n{css.strip()}\n")
    return "".join(delen)


def main() -> int:
    node_modules = repo_root() / "node_modules"
    if not (node_modules / "@utrecht").is_dir():
        print("node_modules/@utrecht ontbreekt: voer eerst 'npm ci' uit", file=sys.stderr)
        return 2
    DOEL.write_text(bundel(node_modules), encoding="utf-8")
    print(f"geschreven: {DOEL}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

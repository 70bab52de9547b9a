"""Engine tests are plain pytest: no Django, no database.

When run from a bare virtualenv (``-p no:django --confcutdir=tests/edi_engine``) the package
is not installed, so put ``src`` on the path; inside the project venv this is a no-op.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SRC = Path(__file__).resolve().parents[2] / "src"

if importlib.util.find_spec("monopilot") is None:
    sys.path.insert(0, str(_SRC))

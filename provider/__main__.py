"""The component package's plugin: serves redis-filebeat:index:Stack.

The CLI runs this folder with its virtualenv's Python (PulumiPlugin.yaml). It
imports the repository's `components` from the folder above, as the project's
own `__main__.py` does from where it lives, so a checkout or a git source of
the repository is all a program in another language needs.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.workloads.component_package import serve  # noqa: E402 - needs the path above

serve()

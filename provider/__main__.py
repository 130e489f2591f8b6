"""The component package's plugin: serves redis-filebeat:index:Stack.

The CLI runs this folder with its virtualenv's Python (PulumiPlugin.yaml). It
imports the repository's `components` from the folder above, as the project's
own `__main__.py` does from where it lives: the folder works inside a checkout
of the whole repository, not on its own.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.workloads.component_package import serve  # noqa: E402 - needs the path above

serve()

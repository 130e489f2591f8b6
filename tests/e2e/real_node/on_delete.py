"""docs/rollouts.md's OnDelete script, run as an operator runs it, on the
real node's cluster: every DaemonSet, node by node, each pod deleted and its
successor awaited Ready, then the count of pods on the new template."""

import json
import os
import shlex
import subprocess

from tests.e2e.real_node.node import RealNode
from tests.repo.test_on_delete_script import script

EXAMPLE_NAMESPACE = "ns=logging\n"


def run_the_docs_script(node: RealNode, namespace: str, daemon_sets: list[str],
                        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The script as the doc prints it, with its namespace line set to the
    stack's, as the operator would, and `pulumi stack output daemonSetNames`
    answered from the stack's outputs (the CLI would need the test's backend)."""
    text = script()
    assert text.startswith(EXAMPLE_NAMESPACE), "the doc's script no longer starts with ns=logging"
    answer = shlex.quote(json.dumps(daemon_sets))
    shimmed = (f"pulumi() {{ printf '%s\\n' {answer}; }}\n"
               f"ns={shlex.quote(namespace)}\n{text.removeprefix(EXAMPLE_NAMESPACE)}")
    return subprocess.run(["sh", "-c", shimmed], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "KUBECONFIG": node.kubeconfig})

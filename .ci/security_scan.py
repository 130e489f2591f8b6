"""checkov's Kubernetes checks on the rendered stacks, beside the tutorial's own manifests.

    .venv/bin/python .ci/security_scan.py PATH/TO/checkov

checkov lives in a virtualenv of its own (its `packaging` pin conflicts with
pulumi's), so this script renders with the project's environment and runs
the checkov binary it is given. It prints passed, failed and waived counts
per stack, then every failure. It exits 1 when a gated stack (dev, prod)
has a failure without a waiver: a waiver is a `checkov.io/skip` annotation
on the object, with its reason.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.render.folder import write_folder  # noqa: E402 - needs sys.path above
from components.render.renderer import (  # noqa: E402 - needs sys.path above
    find_stack_file,
    render_stack_file,
)

GATED = ("dev", "prod")
SHOWN = ("demo", *GATED)


def scan(checkov: str, folder: Path) -> dict:
    result = subprocess.run(
        [checkov, "--directory", str(folder), "--framework", "kubernetes", "--output", "json",
         "--quiet", "--compact", "--skip-download"],
        capture_output=True, text=True, check=False,
    )
    # 0: all passed, 1: some failed. Anything else is checkov itself failing.
    if result.returncode not in (0, 1) or not result.stdout.strip():
        sys.exit(f"checkov failed on {folder} (exit {result.returncode}):\n{result.stderr}")
    report = json.loads(result.stdout)
    if isinstance(report, list):  # one report per framework; we asked for one
        (report,) = report
    if report.get("summary", {}).get("parsing_errors"):
        sys.exit(f"checkov could not parse the manifests in {folder}")
    return report


def main(checkov: str) -> int:
    rows, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        targets = {"tutorial": ROOT / "tests" / "tutorial"}
        for stack in SHOWN:
            folder = Path(tmp) / stack
            write_folder(render_stack_file(find_stack_file(stack, ROOT)).manifests, folder)
            targets[stack] = folder
        for name, folder in targets.items():
            report = scan(checkov, folder)
            summary = report["summary"]
            failed = report["results"]["failed_checks"]
            rows.append((name, summary["passed"], summary["failed"], summary["skipped"]))
            if name in GATED:
                failures += [f"{name}: {c['check_id']} {c['check_name']} ({c['resource']})"
                             for c in failed]
    print(f"{'manifests':<10} {'passed':>7} {'failed':>7} {'waived':>7}")
    for name, passed, failed, skipped in rows:
        print(f"{name:<10} {passed:>7} {failed:>7} {skipped:>7}")
    if failures:
        print("\nfailed without a waiver:", *failures, sep="\n  ")
        return 1
    print(f"\n{' and '.join(GATED)}: no failure without a waiver")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))

"""checkov's Kubernetes checks on the rendered stacks, beside the tutorial's own manifests.

    .venv/bin/python .ci/security_scan.py PATH/TO/checkov

checkov lives in a virtualenv of its own (its `packaging` pin conflicts with
pulumi's), so this script renders with the project's environment and runs
the checkov binary it is given. It prints passed, failed and waived counts
per stack, then every failure. It exits 1 when a gated stack (dev, prod)
has a failure without a waiver: a waiver is a `checkov.io/skip` annotation
on the object, with its reason. prod is scanned a second time with its
password in an existing Secret, so the start-up steps' init containers are
held to the same checks.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.config.files.stack_file import read_stack_file  # noqa: E402 - needs sys.path above
from components.project import PROJECT, RawConfig  # noqa: E402 - needs sys.path above
from components.render.folder import write_folder  # noqa: E402 - needs sys.path above
from components.render.manifests import Manifests  # noqa: E402 - needs sys.path above
from components.render.renderer import (  # noqa: E402 - needs sys.path above
    find_stack_file,
    render,
    render_stack_file,
)

STACKS = ("demo", "dev", "prod")
EXISTING_SECRET = "prod-existing-secret"
GATED = ("dev", "prod", EXISTING_SECRET)


def with_existing_secret(stack: str) -> Manifests:
    """`stack` with its redis password in a Secret it did not make."""
    path = find_stack_file(stack, ROOT)
    raw = read_stack_file(path)
    key = f"{PROJECT}:redis"
    redis = json.loads(raw.values[key] or "{}") | {
        "existingSecret": {"name": "redis-credentials", "version": "1"}}
    values = {k: v for k, v in raw.values.items() if k != f"{PROJECT}:redisPassword"}
    raw = RawConfig({**values, key: json.dumps(redis)}, raw.secret_keys - {
        f"{PROJECT}:redisPassword"})
    return render(raw, stack, origin=str(path)).manifests


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
        rendered = {stack: render_stack_file(find_stack_file(stack, ROOT)).manifests
                    for stack in STACKS}
        rendered[EXISTING_SECRET] = with_existing_secret("prod")
        for name, manifests in rendered.items():
            folder = Path(tmp) / name
            write_folder(manifests, folder)
            targets[name] = folder
        for name, folder in targets.items():
            report = scan(checkov, folder)
            summary = report["summary"]
            failed = report["results"]["failed_checks"]
            rows.append((name, summary["passed"], summary["failed"], summary["skipped"]))
            if name in GATED:
                failures += [f"{name}: {c['check_id']} {c['check_name']} ({c['resource']})"
                             for c in failed]
    print(f"{'manifests':<20} {'passed':>7} {'failed':>7} {'waived':>7}")
    for name, passed, failed, skipped in rows:
        print(f"{name:<20} {passed:>7} {failed:>7} {skipped:>7}")
    if failures:
        print("\nfailed without a waiver:", *failures, sep="\n  ")
        return 1
    print(f"\n{', '.join(GATED)}: no failure without a waiver")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))

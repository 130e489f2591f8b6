"""One measured run: start a command, report its wall time and peak memory as JSON.

    child.py [--sample-tree] [--stdout FILE] -- COMMAND...

A wrapper process of its own per run, because `RUSAGE_CHILDREN` reports the
largest child a process has ever waited for, not the last one. That is the
peak RSS of the largest single process; a command that runs helpers it does
not wait for (cdk8s's node kernel) is undercounted, so `--sample-tree` also
polls the RSS of the whole process tree from /proc every few milliseconds.
It costs CPU, so it is used only for the unmeasured warm-up run.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE_KIB = resource.getpagesize() // 1024


def tree_rss_kib(pid: int) -> int:
    """RSS of `pid` and all its descendants, in KiB (0 once it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return 0
    return pages * PAGE_KIB + sum(tree_rss_kib(int(child)) for child in children)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    sample_tree = "--sample-tree" in options
    stdout_path = options[options.index("--stdout") + 1] if "--stdout" in options else None
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's exit
    with tempfile.TemporaryFile() as stderr:
        tree_peak = 0
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        if sample_tree:
            while process.poll() is None:
                tree_peak = max(tree_peak, tree_rss_kib(process.pid))
                time.sleep(0.005)
        process.wait()
        seconds = time.perf_counter() - start
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    if stdout_path:
        stdout.close()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024,
                      "tree_peak_mib": tree_peak / 1024 if sample_tree else None,
                      "returncode": process.returncode, "stderr": errors[-2000:]}))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Run one command and report its wall time and peak memory as JSON.

A process of its own per measured run, because `RUSAGE_CHILDREN` reports
the largest child a process has ever waited for, not the last one.
"""

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    command = sys.argv[1:]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024,
                      "returncode": done.returncode,
                      "stderr": done.stderr.decode(errors="replace")[-2000:]}))


if __name__ == "__main__":
    main()

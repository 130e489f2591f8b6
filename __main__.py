"""The Pulumi program. All of it lives in `components`, where the offline
renderer and the tests run the same code."""

from components.workloads.program import main

main()

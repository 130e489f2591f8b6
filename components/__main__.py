import gc
import sys

gc.disable()  # for the imports alone: see cli.inputs.imports_kept_to_exit
try:
    from .cli import inputs, main
except Exception as error:  # a broken install: still exit 3, the crash code, not 1
    print(f"internal error: {type(error).__name__}: cannot import the CLI; this is a bug "
          "or a broken install of redis-filebeat", file=sys.stderr)
    sys.exit(3)

# This process is short-lived, and what it has imported (pulumi,
# pulumi_kubernetes' hundreds of classes, our models) lives until it exits.
# Frozen, none of it is walked again by the cycle collector: its pass after
# a mocks run (see mockrun._cycle_collector_paused) and the interpreter's
# collections at exit cover only the run's own objects. A dev render took
# 760 ms without this and 509 ms with it (benchmarks/README.md). Pulumi and
# the models are imported only once the stack file has been read, so the
# command freezes again then (cli.inputs.freeze_heap).
gc.freeze()
gc.enable()
inputs.freeze_heap = True
sys.exit(main())

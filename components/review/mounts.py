"""What a ConfigMap's or Secret's change does to the pods that read it."""

from collections.abc import Sequence

from .change import Change, Changed
from .replacement import replaced_fields, replaced_with


def mounted_data(change: Changed, everything: Sequence[Change]) -> list[str]:
    """A ConfigMap's or Secret's content change, as the workloads that read it feel it.

    Pulumi deletes the object before creating the new one, and re-creates
    with it every workload that reads it now (replacement.py): their pods do
    not roll, they all stop. A workload that only starts reading it in this
    change depends on nothing deleted, and its own lines say what it does.
    """
    kind = change.new.kind
    if not replaced_fields(change):
        return []
    head = (f"{kind} content changed → Pulumi replaces it (delete, then create; "
            f"{kind}s are immutable to the provider by default)")
    readers = sorted(f"{old.kind} {old.namespace}/{old.name}" for c in everything
                     if isinstance(c, Changed) and change.old in replaced_with(c, everything)
                     for old in [c.old])
    if not readers:
        return [head + "; no workload here reads it"]
    return [f"{head}, and with it {who}, which reads it" for who in readers]

"""How the end-to-end suite reads the engine's answers and kubectl's, and what
our offline diff predicts they will be; tested by the unit run (tests/e2e_support)."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.render.renderer import render_stack_file
from components.review.pairing import compare


def predicted_changes(before: Path, after: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """What our offline diff says going from one stack file to the other does
    to the cluster: {(kind, name): impacts}."""
    diffs = compare(render_stack_file(before).manifests.objects,
                    render_stack_file(after).manifests.objects)
    return {(d.change.latest.kind, d.change.latest.name): d.impacts
            for d in diffs}


# Reading the engine's answers.

def op_counts(op_map: Mapping[Any, int] | None) -> dict[str, int]:
    """A change summary with plain string keys ("update"), whichever form the
    SDK hands over (it passes the engine's JSON keys through as they came)."""
    return {getattr(op, "value", op): n for op, n in (op_map or {}).items()}


@dataclass(frozen=True)
class Step:
    """One step the engine planned or took: `update`, `kubernetes:apps/v1:DaemonSet`, `filebeat`."""

    op: str
    type: str
    name: str
    urn: str

    @property
    def kind(self) -> str:
        return self.type.rpartition(":")[2]


class StepRecorder:
    """An `on_event` callback that keeps every step the engine announces, so
    a test can say which resources change and how, not only how many."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __call__(self, event: Any) -> None:
        pre = getattr(event, "resource_pre_event", None)
        if pre is None:
            return
        meta = pre.metadata
        self.steps.append(Step(getattr(meta.op, "value", meta.op), meta.type,
                               meta.urn.rpartition("::")[2], meta.urn))

    def changes(self) -> list[Step]:
        """Every step that does something, Kubernetes objects or not."""
        return [s for s in self.steps if s.op not in ("same", "read")]


def unexpected_steps(changes: Iterable[Step], predicted: Iterable[tuple[str, str]]) -> list[str]:
    """The engine's changes that are not an in-place update of a predicted object,
    and the predicted objects the engine does not update, one line each."""
    predicted = set(predicted)
    problems = [f"{s.op} {s.type} {s.name}" for s in changes
                if s.op != "update" or (s.kind, s.name) not in predicted]
    updated = {(s.kind, s.name) for s in changes if s.op == "update"}
    problems += [f"no update of {kind} {name}" for kind, name in sorted(predicted - updated)]
    return problems


# Reading kubectl's answers.

def running_images(pods_json: str, container: str) -> list[str]:
    """The image of `container` in every pod that is not on its way out.

    Right after a rollout the old pods may still be terminating, and they
    still run the old image: they are not what the DaemonSet now runs.
    """
    pods = json.loads(pods_json)["items"]
    return sorted(c["image"] for pod in pods if not pod["metadata"].get("deletionTimestamp")
                  for c in pod["spec"]["containers"] if c["name"] == container)


def desired_pods(daemon_set_json: str) -> int:
    return json.loads(daemon_set_json)["status"].get("desiredNumberScheduled", 0)


def filebeat_event(entry: str) -> dict[str, Any]:
    """One redis entry as the filebeat event it must be, or ValueError saying why not."""
    try:
        event = json.loads(entry)
    except json.JSONDecodeError:
        raise ValueError(f"not JSON: {entry[:200]!r}") from None
    if not isinstance(event, dict):
        raise ValueError(f"not a JSON object: {entry[:200]!r}")
    agent = event.get("agent")
    if not isinstance(agent, dict) or agent.get("type") != "filebeat":
        raise ValueError(f"not written by filebeat (agent {agent!r}): {entry[:200]!r}")
    missing = [key for key in ("@timestamp", "message") if key not in event]
    if missing:
        raise ValueError(f"a filebeat event without {', '.join(missing)}: {entry[:200]!r}")
    return event

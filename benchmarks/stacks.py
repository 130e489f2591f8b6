"""Stack files for the scaling runs: N filebeat node classes, N DaemonSets.

The classes are disjoint the simplest way the overlap rule accepts: one
shared label key, a different value each.
"""

from pathlib import Path

import yaml

POOL_KEY = "node.example.com/pool"


def node_class_stack(count: int) -> dict:
    classes = {f"pool{n:04}": {"nodeSelector": {POOL_KEY: f"pool{n:04}"}}
               for n in range(count)}
    return {"config": {
        "redis-filebeat:namespace": "logging",
        "redis-filebeat:redis": {"image": "redis:7.4-alpine", "auth": False},
        "redis-filebeat:filebeat": {"image": "docker.elastic.co/beats/filebeat:8.15.3",
                                    "nodeClasses": classes},
    }}


def write_node_class_stack(count: int, folder: Path) -> Path:
    path = folder / f"Pulumi.classes-{count}.yaml"
    path.write_text(yaml.safe_dump(node_class_stack(count), sort_keys=False), encoding="utf-8")
    return path

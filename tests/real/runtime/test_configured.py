"""Settings a stack may add, shown to work with the real filebeat: the typed
processors and their `when` conditions, and a password from an existing
Secret, written by each workload's start-up step in its own image."""

from components.workloads.filebeat.inputs_yml import MARK
from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered
from tests.real.runtime.shipping import base, counted, messages, started


def test_processors_and_their_conditions(pipeline, node):
    config = base(containerLogs={"processors": [
        {"type": "drop_event", "when": {"contains": {"message": "DEBUG"}}},
        {"type": "add_fields", "target": "", "fields": {"team": "shop"},
         "when": {"and": [{"regexp": {"message": "^#processed-"}},
                          {"not": {"equals": {"stream": "stderr"}}}]}},
        {"type": "add_tags", "tags": ["from-stderr"],
         "when": {"equals": {"stream": "stderr"}}},
    ]})
    pipe = started(pipeline(config))
    log = ContainerLog(node.root, "proc-1")
    kept = numbered("processed", 2_000, width=120)
    log.write([f"{line} DEBUG" if n % 2 else line for n, line in enumerate(kept)])
    log.write(numbered("errors", 500, width=120), stream="stderr")
    pipe.wait_message(numbered("errors", 500, width=120)[-1])
    events = pipe.events()
    result = counted("processed", 2_000, [e["message"] for e in events],
                     note="the 1,000 DEBUG lines dropped by drop_event, as configured")
    # Every odd line said DEBUG: dropped, and only those.
    assert result.missing == tuple(range(1, 2_000, 2)), result
    assert result.duplicated == 0
    stdout = [e for e in events if e["message"].startswith("#processed-")]
    stderr = [e for e in events if e["message"].startswith("#errors-")]
    assert len(stderr) == 500
    assert all(e.get("team") == "shop" and "tags" not in e for e in stdout)
    assert all("team" not in e and e["tags"] == ["from-stderr"] for e in stderr)
    # They ran among the global processors, under the container input's mark,
    # which is dropped before the redis output ships @metadata.
    assert all(MARK.partition(".")[2] not in e["@metadata"] for e in events), events[0]


def test_a_password_from_an_existing_secret_reaches_both_pods(pipeline, node):
    # Bytes, not characters, count in RESP: the readiness probe's AUTH must know.
    password = "an-existing-secret's p@ssw0rd, with a comma and ünïcødé"
    config = base(redis={"existingSecret": {"name": "redis-credentials", "key": "pw"}})
    pipe = pipeline(config, existing_password=password)
    # Both start-up steps run first, in the stand-ins of their own images.
    assert [c.name for c in pipe.redis.init_containers] == ["redis-auth"]
    assert [c.name for c in pipe.filebeat.init_containers] == ["redis-auth"]
    started(pipe)
    filebeat = pipe.filebeat["filebeat"]
    log = ContainerLog(node.root, "secret-1")
    sent = numbered("existing secret", 1_000, width=120)
    log.write(sent)
    pipe.wait_message(sent[-1])
    result = counted("existing secret", len(sent), messages(pipe))
    assert (result.lost, result.duplicated) == (0, 0), result
    readiness = filebeat.probe("readiness")
    assert readiness.ok, readiness.output

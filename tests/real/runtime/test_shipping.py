"""Logs written as a node writes them reach the redis list once, intact.

The rendered redis Deployment and filebeat DaemonSet run as their
containers (tests/real/runtime/container.py); the numbered lines are counted in
the list as a reader finds them.
"""

import json

from tests.real.runtime.node_logs import ContainerLog
from tests.real.runtime.pipeline import numbered
from tests.real.runtime.shipping import RUNTIME_PART, base, counted, messages, started


def test_cri_and_docker_lines_arrive_once_and_intact(pipeline, node):
    pipe = started(pipeline())
    cri = ContainerLog(node.root, "web-1")
    docker = ContainerLog(node.root, "api-1", runtime="docker")
    lines = {"cri": numbered("cri", 3000), "docker": numbered("docker", 3000),
             "crilong": numbered("crilong", 40, width=40_000),
             "dockerlong": numbered("dockerlong", 40, width=40_000)}
    cri.write(lines["cri"])
    cri.write(lines["crilong"], part=RUNTIME_PART)
    docker.write(lines["docker"])
    docker.write(lines["dockerlong"], part=RUNTIME_PART)
    pipe.wait_length(sum(map(len, lines.values())))
    texts = messages(pipe)
    for case, sent in lines.items():
        result = counted(case, len(sent), texts)
        assert (result.lost, result.duplicated) == (0, 0), f"{case}: {result}"
    # Intact: each message is the line as written, the partial ones joined.
    # From docker's json-file, filebeat keeps the newline docker stored in
    # `log` (elastic/beats#37741); docs/filebeat.md says so.
    written = {*lines["cri"], *lines["crilong"],
               *(line + "\n" for line in [*lines["docker"], *lines["dockerlong"]])}
    assert set(texts) == written


def test_json_lines_joined_on_their_message_key(pipeline, node):
    """docs: the reference of containerLogs.json.messageKey."""
    config = base(containerLogs={"multiline": {"pattern": "^\\s", "match": "after"},
                                 "json": {"target": "", "messageKey": "msg"}})
    pipe = started(pipeline(config))
    log = ContainerLog(node.root, "java-1")
    events = 300
    for n in range(events):
        log.write([json.dumps({"msg": f"#trace-{n:06d}# failed", "level": "error"}),
                   json.dumps({"msg": "\tat com.example.Main.run(Main.java:42)"}),
                   json.dumps({"msg": "\tat com.example.Main.main(Main.java:7)"})])
    log.write([json.dumps({"msg": "#trace-999999# flushes the last event"})])
    pipe.wait_length(events)
    found = pipe.events()
    result = counted("trace", events, [e["message"] for e in found])
    assert (result.lost, result.duplicated) == (0, 0), result
    first = next(e for e in found if "#trace-000000#" in e["message"])
    # The joined text is the message; the decoded keys are the lines' own.
    assert first["message"] == ("#trace-000000# failed\n\tat com.example.Main.run(Main.java:42)"
                                "\n\tat com.example.Main.main(Main.java:7)")
    assert first["level"] == "error"

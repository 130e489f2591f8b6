"""The e2e suite's own logic, tested here where it cannot deploy: why it
skips, the stack it would deploy, the commands it would run, how it reads
the engine's and kubectl's answers, and its Automation API calls, run
against a scripted stand-in for the pulumi CLI and kubectl."""

import json
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto
from pulumi.automation.events import EngineEvent, SummaryEvent

import tests.e2e.test_deploy as steps
from components.render.renderer import render_stack_file
from tests.configs import ROOT
from tests.e2e.cluster import (
    DEV,
    SIMULATED_TOOLS,
    Cluster,
    Rendered,
    Step,
    StepRecorder,
    e2e_stack_text,
    filebeat_event,
    missing_tools,
    op_counts,
    predicted_changes,
    running_images,
    set_filebeat_image,
    template_image,
    unavailable,
    unexpected_steps,
)
from tests.e2e.stack import TearDownError, ThrowawayStack
from tests.e2e.test_rollouts import NODE_LABEL, stack_text
from tests.e2e.watch import running_old_pods
from tests.e2e.waves import PodEvent, Rollout, WatchDecoder, count_waves, pod_event

NEW_IMAGE = steps.NEW_FILEBEAT_IMAGE


def fake_tools(tmp_path, monkeypatch, **scripts: str) -> None:
    """A PATH holding only these shell scripts (they run /bin/sh by its full path)."""
    for name, body in scripts.items():
        tool = tmp_path / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))


# Why the suite skips.

def test_without_the_pulumi_cli_the_suite_says_so(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, kubectl="exit 0")
    assert missing_tools().startswith("the pulumi CLI is not on PATH")


def test_without_kubectl(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0")
    assert missing_tools().startswith("kubectl is not on PATH")


def test_without_a_context(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='echo "error: current-context is not set" >&2; exit 1')
    assert missing_tools() == ("kubectl has no current context; create a cluster first: "
                               "kind create cluster")


def test_with_a_cluster_that_does_not_answer(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kubectl="""
case "$1" in
  config) echo kind-kind ;;
  *) echo "The connection to the server 127.0.0.1:6443 was refused" >&2; exit 1 ;;
esac""")
    assert missing_tools() == ("the cluster of kube context 'kind-kind' does not answer: "
                               "The connection to the server 127.0.0.1:6443 was refused")


def test_with_a_cluster_that_hangs(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kubectl="""
case "$1" in
  config) echo kind-kind ;;
  *) exec /bin/sleep 10 ;;
esac""")
    assert missing_tools(timeout=0.5) == ("the cluster of kube context 'kind-kind' did not "
                                          "answer within 0.5 s")


def test_with_everything_there_the_suite_runs(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0",
               kubectl='[ "$1" = config ] && echo kind-kind; exit 0')
    assert missing_tools() is None


def test_the_simulated_cluster_needs_its_own_tools(tmp_path, monkeypatch):
    fake_tools(tmp_path, monkeypatch, pulumi="exit 0", kwok="exit 0",
               kubectl='[ "$1" = config ] && echo local; exit 0')
    reason = missing_tools(simulated=True)
    absent = [t for t in SIMULATED_TOOLS if t != "kwok"]
    assert reason.startswith(f"{', '.join(absent)} not on PATH"), reason
    assert "toolchain/build" in reason and "E2E_KUBECONFIG" in reason
    assert missing_tools() is None  # a cluster of one's own needs only pulumi and kubectl


def test_a_missing_tool_skips_unless_required(monkeypatch):
    monkeypatch.delenv("E2E_REQUIRED", raising=False)
    with pytest.raises(pytest.skip.Exception, match="^no kwok$"):
        unavailable("no kwok")
    monkeypatch.setenv("E2E_REQUIRED", "1")
    with pytest.raises(pytest.fail.Exception, match="^E2E_REQUIRED=1, but no kwok$"):
        unavailable("no kwok")


# The repo's own pytest.ini, so its addopts (`-m "not e2e"`) apply as in a unit run.
E2E_TESTS = 51
"""test_deploy.py's 9 steps, test_validation.py's 12 tests, test_coverage_scheduler.py's 2,
test_render_yaml.py's 1, test_diff_engine.py's 10 table rows and its labels test,
test_rollouts.py's 7 steps, test_policy_pack.py's 3 and test_component_package.py's 6."""
REPO_PYTEST = ("-c", str(ROOT / "pytest.ini"), "--rootdir", str(ROOT), "-p", "no:cacheprovider",
               "-n", "0", str(ROOT / "tests" / "e2e"))


def test_the_suite_skips_here_with_its_reason(pytester, monkeypatch):
    """Not vacuous: where the tools are missing, `pytest -m e2e` reports every
    e2e test as skipped, with the reason, and none as passed. (In process:
    a pytest of its own would spend seconds importing what this one has.)

    The reason is the one the suite's own fixture finds first: with no
    E2E_KUBECONFIG, whether the simulated cluster's tools are on PATH. With
    them there, the suite would start a cluster and run (and, under this
    test's HOME, build the control plane afresh), so this test skips."""
    monkeypatch.delenv("E2E_KUBECONFIG", raising=False)
    reason = missing_tools(simulated=True, check_cluster=False)
    if reason is None:
        pytest.skip("the simulated cluster's tools are on PATH, so the e2e suite would run: "
                    "run it with pytest -m e2e")
    result = pytester.runpytest_inprocess(*REPO_PYTEST, "-m", "e2e", "-rs", "-q")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(skipped=E2E_TESTS)
    assert reason in result.stdout.str()


def test_the_unit_run_never_selects_the_e2e_steps(pytester):
    result = pytester.runpytest_inprocess(*REPO_PYTEST, "--collect-only", "-q")
    assert f"({E2E_TESTS} deselected)" in result.stdout.str(), \
        result.stdout.str() + result.stderr.str()
    assert "test_deploy.py::" not in result.stdout.str()


# The stack it deploys, and what it reads from the render.

def e2e_stack_file(folder: Path, name: str = "e2e-abc123") -> Path:
    stack_file = folder / f"Pulumi.{name}.yaml"
    stack_file.write_text(e2e_stack_text(name, "kind-e2e"))
    return stack_file


def test_the_deployed_stack_is_dev_in_its_own_namespace(tmp_path):
    config = yaml.safe_load(e2e_stack_file(tmp_path).read_text())["config"]
    dev = yaml.safe_load(DEV.read_text())["config"]
    assert config.pop("kubernetes:context") == "kind-e2e"
    assert config.pop("redis-filebeat:namespace") == "e2e-abc123"
    del dev["kubernetes:context"], dev["redis-filebeat:namespace"]
    assert config == dev  # createNamespace is true in dev already

    manifests = render_stack_file(e2e_stack_file(tmp_path)).manifests
    assert {m.namespace for m in manifests.objects} == {"e2e-abc123", None}
    registry = [v["hostPath"]["path"] for v in manifests["DaemonSet"]["filebeat"]["spec"][
        "template"]["spec"]["volumes"] if v["name"] == "registry"]
    assert registry == ["/var/lib/redis-filebeat/e2e-abc123/filebeat"]
    assert {m.name for m in manifests.objects if m.namespace is None} == {
        "e2e-abc123", "e2e-abc123-filebeat"}


def test_the_commands_come_from_the_render(tmp_path):
    rendered = Rendered(e2e_stack_file(tmp_path))
    redis = ["kubectl", "--context", "kind-e2e", "-n", "e2e-abc123", "exec", "deploy/redis",
             "-c", "redis", "--", "sh", "-c",
             'REDISCLI_AUTH="$(cat /etc/redis-auth/password)" redis-cli -p 6379 -n 0 ']
    llen, first = rendered.llen_command("kind-e2e"), rendered.first_entry_command("kind-e2e")
    assert llen[:-1] == redis[:-1] and llen[-1] == redis[-1] + "LLEN filebeat"
    assert first[-1] == redis[-1] + "LINDEX filebeat 0"
    assert rendered.rollout_command("kind-e2e", 600)[-3:] == [
        "status", "daemonset/filebeat", "--timeout=600s"]
    assert rendered.pods_command("kind-e2e")[-5:] == [
        "pods", "-l", "app.kubernetes.io/name=filebeat", "-o", "json"]
    assert rendered.cleanup_commands("kind-e2e") == [
        "kubectl --context kind-e2e delete namespace e2e-abc123 --ignore-not-found",
        "kubectl --context kind-e2e delete clusterrole e2e-abc123-filebeat --ignore-not-found",
        ("kubectl --context kind-e2e delete clusterrolebinding e2e-abc123-filebeat "
         "--ignore-not-found")]


def test_redis_cli_authenticates_as_the_pods_own_probe_does(tmp_path):
    rendered = Rendered(e2e_stack_file(tmp_path))
    [redis] = rendered.deployment["spec"]["template"]["spec"]["containers"]
    probe = redis["readinessProbe"]["exec"]["command"][-1]
    assert f'REDISCLI_AUTH="$(cat {rendered.password_file})"' in probe
    assert f"-p {rendered.redis_port} " in probe


def test_the_key_and_db_are_filebeats(tmp_path):
    stack_file = e2e_stack_file(tmp_path)
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["redis-filebeat:filebeat"]["output"] = {"key": "node logs", "db": 3}
    stack_file.write_text(yaml.safe_dump(document))
    command = Rendered(stack_file).llen_command("kind-e2e")[-1]
    assert command.endswith("redis-cli -p 6379 -n 3 LLEN 'node logs'")


def test_an_image_change_is_predicted_as_a_rolling_update_of_the_daemon_set(tmp_path):
    before = e2e_stack_file(tmp_path)
    after = tmp_path / "after" / before.name
    after.parent.mkdir()
    after.write_text(set_filebeat_image(before.read_text(), NEW_IMAGE))
    [(change, impacts)] = predicted_changes(before, after).items()
    assert change == ("DaemonSet", "filebeat")
    assert impacts[0].startswith("pod template changed → RollingUpdate")


# Reading the engine's answers.

def test_change_counts_read_as_plain_strings():
    summary = SummaryEvent.from_json({"resourceChanges": {"update": 1, "same": 13}})
    assert op_counts(summary.resource_changes) == {"update": 1, "same": 13}
    assert op_counts({auto.OpType.UPDATE: 2}) == {"update": 2}
    assert op_counts(None) == {}


def pre_event(op: str, type_: str, name: str, sequence: int = 1) -> dict:
    parent = "redis-filebeat:components:Filebeat"
    urn = f"urn:pulumi:e2e-abc123::redis-filebeat::{parent}${type_}::{name}"
    return {"sequence": sequence, "timestamp": 0, "resourcePreEvent": {
        "metadata": {"op": op, "urn": urn, "type": type_, "provider": ""}}}


DAEMON_SET = "kubernetes:apps/v1:DaemonSet"


def test_the_recorder_keeps_what_the_engine_announces():
    recorder = StepRecorder()
    for event in (pre_event("same", "pulumi:pulumi:Stack", "redis-filebeat-e2e-abc123"),
                  pre_event("update", DAEMON_SET, "filebeat", 2),
                  {"sequence": 3, "timestamp": 0, "summaryEvent": {"resourceChanges": {}}}):
        recorder(EngineEvent.from_json(event))
    [step] = recorder.changes()
    assert (step.op, step.kind, step.name) == ("update", "DaemonSet", "filebeat")
    assert step.urn.endswith("$kubernetes:apps/v1:DaemonSet::filebeat")


def step(op: str, type_: str, name: str) -> Step:
    return Step(op, type_, name, f"urn:pulumi:s::p::{type_}::{name}")


def test_only_an_in_place_update_of_the_predicted_objects_passes():
    predicted = [("DaemonSet", "filebeat")]
    assert unexpected_steps([step("update", DAEMON_SET, "filebeat")], predicted) == []
    assert unexpected_steps([step("replace", DAEMON_SET, "filebeat")], predicted) == [
        f"replace {DAEMON_SET} filebeat", "no update of DaemonSet filebeat"]
    assert unexpected_steps([step("update", DAEMON_SET, "filebeat"),
                             step("update", "kubernetes:core/v1:Secret", "redis-auth")],
                            predicted) == ["update kubernetes:core/v1:Secret redis-auth"]
    assert unexpected_steps([], predicted) == ["no update of DaemonSet filebeat"]


# Reading kubectl's answers.

def pod(image: str, terminating: bool = False, container: str = "filebeat") -> dict:
    metadata = {"name": "filebeat-x"} | (
        {"deletionTimestamp": "2026-01-01T00:00:00Z"} if terminating else {})
    return {"metadata": metadata, "spec": {"containers": [{"name": container, "image": image}]}}


def test_terminating_pods_and_other_containers_do_not_count():
    pods = json.dumps({"items": [pod(NEW_IMAGE), pod("old", terminating=True),
                                 pod("sidecar", container="other")]})
    assert running_images(pods, "filebeat") == [NEW_IMAGE]


FILEBEAT_EVENT = json.dumps({"@timestamp": "2026-01-01T00:00:00.000Z", "message": "hello",
                             "agent": {"type": "filebeat", "version": "8.15.3"},
                             "log": {"file": {"path": "/var/log/containers/x.log"}}})


def test_the_template_image_is_the_named_containers():
    daemon_set = json.dumps({"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox"}, {"name": "filebeat", "image": NEW_IMAGE}]}}}})
    assert template_image(daemon_set, "filebeat") == NEW_IMAGE
    with pytest.raises(ValueError):
        template_image(daemon_set, "redis")


def test_an_entry_must_be_a_filebeat_event():
    assert filebeat_event(FILEBEAT_EVENT)["message"] == "hello"
    for entry, why in (("hello", "not JSON"), ("[1]", "not a JSON object"),
                       ('{"message": "x", "@timestamp": "t"}', "not written by filebeat"),
                       ('{"agent": {"type": "filebeat"}}', "without @timestamp, message")):
        with pytest.raises(ValueError, match=why):
            filebeat_event(entry)


# The Automation API, without the CLI, and against a scripted stand-in.

def test_without_the_cli_the_sdk_fails_to_start_a_workspace(monkeypatch, tmp_path):
    """The SDK runs `pulumi version` when a workspace is made, and has no
    message of its own for a missing CLI: the OS error is all one gets. So
    the suite checks for the CLI first and skips, saying so."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="'pulumi'"):
        auto.LocalWorkspace(work_dir=str(tmp_path))


def test_a_stack_that_could_not_be_created_leaves_no_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    (tmp_path / "stacks").mkdir()
    stack = ThrowawayStack(tmp_path / "state", "kind-e2e", suffix="abc123", root=tmp_path)
    try:
        with pytest.raises(FileNotFoundError):
            stack.create()
        assert stack.stack_file.exists()
    finally:
        stack.tear_down()
    assert list((tmp_path / "stacks").iterdir()) == []


def test_an_existing_stack_file_is_never_taken_over(tmp_path):
    (tmp_path / "stacks").mkdir()
    stack = ThrowawayStack(tmp_path / "state", "kind-e2e", suffix="abc123", root=tmp_path)
    stack.stack_file.write_text("someone else's\n")
    with pytest.raises(FileExistsError):
        stack.create()
    stack.tear_down()
    assert stack.stack_file.read_text() == "someone else's\n"


FAKE = """#!@PYTHON@
# A stand-in for a CLI: answers by the first rule whose words all occur in
# the command line, and logs each call with what the test wants to check.
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
rules = json.loads(Path(os.environ["FAKE_RULES"]).read_text())[Path(sys.argv[0]).name]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({
        "tool": Path(sys.argv[0]).name, "args": args, "cwd": os.getcwd(),
        "env": {k: os.environ.get(k) for k in ("PULUMI_BACKEND_URL",
                 "PULUMI_CONFIG_PASSPHRASE", "PULUMI_SKIP_UPDATE_CHECK")},
        "stack_files": sorted(p.name for p in Path("stacks").glob("Pulumi.*.yaml")),
    }) + "\\n")
words = {word for arg in args for word in arg.split()}
rule = next(r for r in rules if all(w in words for w in r["match"]))
if "--event-log" in args:
    with open(args[args.index("--event-log") + 1], "a") as events:
        for event in rule.get("events", []) + [{"sequence": 999, "cancelEvent": {}}]:
            events.write(json.dumps(event) + "\\n")
sys.stdout.write(rule.get("stdout", ""))
sys.stderr.write(rule.get("stderr", ""))
sys.exit(rule.get("exit", 0))
"""

URN = ("urn:pulumi:e2e-abc123::redis-filebeat::redis-filebeat:components:Filebeat"
       "$kubernetes:apps/v1:DaemonSet::filebeat")
HISTORY = json.dumps([{"kind": "update", "startTime": "2026-01-01T00:00:00.000Z",
                       "message": "", "environment": {}, "config": {}, "result": "succeeded",
                       "resourceChanges": {"update": 1, "same": 14}}])
PODS = json.dumps({"items": [pod(NEW_IMAGE), pod(NEW_IMAGE), pod("old", terminating=True)]})


def pulumi_rules(destroy_exit: int = 0) -> list[dict]:
    return [
        {"match": ["version"], "stdout": "v3.205.0\n"},  # before 3.206 the events come in a file
        {"match": ["stack", "output", "--json"],
         "stdout": json.dumps({"namespace": "e2e-abc123", "daemonSetName": "filebeat"})},
        {"match": ["stack", "history"], "stdout": HISTORY},
        {"match": ["preview"], "stdout": (
            "Previewing update (e2e-abc123):\n"
            "    ~ kubernetes:apps/v1:DaemonSet: (update)\n"
            f"        [urn={URN}]\n"
            f'      ~ image: "docker.elastic.co/beats/filebeat:8.15.3" => "{NEW_IMAGE}"\n'),
         "events": [pre_event("same", "pulumi:pulumi:Stack", "redis-filebeat-e2e-abc123"),
                    pre_event("update", DAEMON_SET, "filebeat", 2),
                    {"sequence": 3, "summaryEvent": {
                        "resourceChanges": {"update": 1, "same": 14}}}]},
        {"match": ["destroy"], "exit": destroy_exit,
         "stderr": "error: the cluster went away\n" if destroy_exit else ""},
        {"match": [], "stdout": ""},
    ]


KUBECTL_RULES = [
    {"match": ["LLEN"], "stdout": "3\n"},
    {"match": ["LINDEX"], "stdout": FILEBEAT_EVENT + "\n"},
    {"match": ["rollout", "status"], "stdout": "daemon set \"filebeat\" successfully rolled out\n"},
    {"match": ["get", "daemonset/filebeat"],
     "stdout": json.dumps({"status": {"desiredNumberScheduled": 2}})},
    {"match": ["get", "pods"], "stdout": PODS},
]


@pytest.fixture
def fake_clis(tmp_path, monkeypatch):
    """`pulumi` and `kubectl` as scripted stand-ins, in a project folder of their own."""
    bin_dir, root = tmp_path / "bin", tmp_path / "project"
    bin_dir.mkdir(), (root / "stacks").mkdir(parents=True)
    for tool in ("pulumi", "kubectl"):
        (bin_dir / tool).write_text(FAKE.replace("@PYTHON@", sys.executable))
        (bin_dir / tool).chmod(0o755)
    rules, log = tmp_path / "rules.json", tmp_path / "calls.jsonl"

    def script(pulumi: list[dict]) -> None:
        rules.write_text(json.dumps({"pulumi": pulumi, "kubectl": KUBECTL_RULES}))

    def calls(tool: str) -> list[dict]:
        return [c for c in map(json.loads, log.read_text().splitlines()) if c["tool"] == tool]

    script(pulumi_rules())
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_RULES", str(rules))
    monkeypatch.setenv("FAKE_LOG", str(log))
    return root, script, calls


def test_the_steps_drive_the_automation_api_as_intended(fake_clis, tmp_path):
    root, _, calls = fake_clis
    stack = ThrowawayStack(tmp_path / "state", "kind-e2e", suffix="abc123", root=root)
    stack.create()
    try:
        steps.test_up_deploys_the_dev_stack(stack)
        steps.test_filebeat_entries_reach_redis(stack, Cluster(Path("kubeconfig"), False))
        (tmp_path / "preview").mkdir()
        steps.test_an_image_change_previews_as_a_daemon_set_update(stack, tmp_path / "preview")
        steps.test_up_completes_the_rollout(stack)
    finally:
        stack.tear_down(on_output=lambda line: None)

    pulumi = calls("pulumi")
    commands = [[a for a in c["args"] if a != "--non-interactive"][:2] for c in pulumi]
    assert [c for c in commands if c != ["version"]] == [
        ["stack", "init"], ["config", "set"],            # create
        ["up", "--yes"], ["stack", "output"], ["stack", "output"], ["stack", "history"],
        ["config", "set"], ["preview", "--diff"],        # the image change
        ["up", "--yes"], ["stack", "output"], ["stack", "output"], ["stack", "history"],
        ["destroy", "--skip-preview"], ["stack", "history"], ["stack", "rm"]]
    init, password = pulumi[1], pulumi[2]
    [image] = [c for c in pulumi if "--path" in c["args"]]
    assert [a for a in init["args"] if a != "--non-interactive"] == [
        "stack", "init", "e2e-abc123", "--no-select"]  # the operator's stack stays current
    for call in pulumi[2:]:  # so every later call must name the stack
        args = [a for a in call["args"] if a != "--non-interactive"]
        named = (args[args.index("--stack") + 1] if "--stack" in args
                 else args[-1] if args[:2] == ["stack", "rm"] else None)
        assert named == "e2e-abc123", args
    assert init["stack_files"] == ["Pulumi.e2e-abc123.yaml"]  # dev's copy, before init
    assert password["args"][2:5] == ["redis-filebeat:redisPassword", "--secret", "--stack"]
    assert len(password["args"][-1]) >= 24
    assert image["args"][1:5] == ["set", "--path", "redis-filebeat:filebeat.image", "--plaintext"]
    assert image["args"][-1] == NEW_IMAGE
    for call in pulumi:
        if call["args"] != ["version"]:  # which the SDK runs in our own folder
            assert call["cwd"] == str(root)
            assert call["env"]["PULUMI_BACKEND_URL"] == (tmp_path / "state").as_uri()
            assert len(call["env"]["PULUMI_CONFIG_PASSPHRASE"]) >= 32
    assert not stack.stack_file.exists()

    kubectl = [" ".join(c["args"]) for c in calls("kubectl")]
    assert all(c.startswith("--context kind-e2e -n e2e-abc123 ") for c in kubectl)


def test_a_failed_destroy_says_how_to_clean_up(fake_clis, tmp_path):
    root, script, calls = fake_clis
    script(pulumi_rules(destroy_exit=1))
    stack = ThrowawayStack(tmp_path / "state", "kind-e2e", suffix="abc123", root=root).create()
    with pytest.raises(TearDownError) as failure:
        stack.tear_down(on_output=lambda line: None)
    assert str(failure.value).splitlines() == [
        "pulumi destroy of the e2e stack e2e-abc123 failed: error: the cluster went away",
        "Remove what it deployed with:",
        "  kubectl --context kind-e2e delete namespace e2e-abc123 --ignore-not-found",
        "  kubectl --context kind-e2e delete clusterrole e2e-abc123-filebeat --ignore-not-found",
        ("  kubectl --context kind-e2e delete clusterrolebinding e2e-abc123-filebeat "
         "--ignore-not-found")]
    assert not stack.stack_file.exists()
    assert not [c for c in calls("pulumi") if c["args"][1:3] == ["stack", "rm"]]


def test_after_a_failed_step_the_later_ones_skip(pytester):
    """tests/e2e/conftest.py: one failure is reported once, not once per later step."""
    pytester.makeconftest(Path(steps.__file__).with_name("conftest.py").read_text())
    pytester.makeini("[pytest]\nmarkers =\n    e2e: deploys\n")
    pytester.makepyfile(test_steps=(
        "import pytest\n\npytestmark = pytest.mark.e2e\n\n"
        "def test_one():\n    pass\n\n"
        "def test_two():\n    assert False\n\n"
        "def test_three():\n    pass\n"))
    result = pytester.runpytest_inprocess("-rs", "-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(failed=1, passed=1, skipped=1)
    assert "an earlier step failed: test_two" in result.stdout.str()


# A rollout's waves, from the pods' watch events (tests/e2e/waves.py).

OLD, NEW = "filebeat:8.15.3", "filebeat:8.15.2"


def listed(*nodes: str) -> list[PodEvent]:
    """What a watch prints first: every running old pod, ADDED."""
    return [PodEvent(0.0, "ADDED", f"old-{n}", n, OLD, False, True) for n in nodes]


def down(seconds: float, node: str) -> list[PodEvent]:
    """The controller deletes a node's old pod; kwok removes it."""
    return [PodEvent(seconds, "MODIFIED", f"old-{node}", node, OLD, True, True),
            PodEvent(seconds, "DELETED", f"old-{node}", node, OLD, True, True)]


def up(seconds: float, node: str) -> list[PodEvent]:
    """Its new pod is created, bound to the node, and becomes ready."""
    return [PodEvent(seconds, "ADDED", f"new-{node}", None, NEW, False, False),
            PodEvent(seconds, "MODIFIED", f"new-{node}", node, NEW, False, False),
            PodEvent(seconds, "MODIFIED", f"new-{node}", node, NEW, False, True)]


def rollout(*steps: list[PodEvent], min_ready_seconds: float = 0) -> Rollout:
    return count_waves([e for step in steps for e in step], NEW, min_ready_seconds)


def test_batches_of_the_budget_are_its_waves():
    found = rollout(listed("a", "b", "c", "d"), down(1, "a"), down(1, "b"), up(2, "a"),
                    up(2, "b"), down(3, "c"), down(3, "d"), up(4, "c"), up(5, "d"))
    assert found == Rollout(replaced=4, peak_unavailable=2, batches=(2, 2), seconds=4,
                            unfinished=())
    assert found.waves == 2


def test_a_rolling_window_counts_a_budget_of_nodes_a_wave():
    """The controller's own pattern: each new pod ready frees one slot."""
    found = rollout(listed("a", "b", "c", "d", "e"), down(1, "a"), down(1, "b"), up(2, "a"),
                    down(3, "c"), up(4, "b"), down(5, "d"), up(6, "c"), down(7, "e"),
                    up(8, "d"), up(9, "e"))
    assert (found.peak_unavailable, found.batches, found.waves) == (2, (2, 1, 1, 1), 3)


def test_one_at_a_time():
    found = rollout(listed("a", "b", "c"), down(1, "a"), up(2, "a"), down(3, "b"), up(4, "b"),
                    down(5, "c"), up(6, "c"))
    assert (found.peak_unavailable, found.batches, found.waves) == (1, (1, 1, 1), 3)


def test_more_nodes_down_than_the_budget_make_fewer_waves():
    found = rollout(listed("a", "b", "c", "d"), down(1, "a"), down(1, "b"), down(1, "c"),
                    up(2, "a"), down(3, "d"), up(4, "b"), up(4, "c"), up(4, "d"))
    assert (found.peak_unavailable, found.waves) == (3, 2)


def test_a_node_without_a_ready_new_pod_leaves_the_rollout_unfinished():
    found = rollout(listed("a", "b"), down(1, "a"), up(2, "a"), down(3, "b"), up(4, "b")[:2])
    assert (found.replaced, found.unfinished, found.seconds) == (2, ("b",), None)


def test_the_listing_and_a_new_node_replace_nothing():
    found = rollout(listed("a", "b"), up(1, "c"))
    assert found == Rollout(0, 0, (), None, ())
    assert found.waves == 0
    later = rollout(listed("a", "b"), up(1, "c"), down(2, "a"), down(2, "b"), up(3, "a"),
                    up(3, "b"))
    assert (later.replaced, later.peak_unavailable) == (2, 2)


def test_a_node_is_down_from_the_moment_its_old_pod_terminates():
    """The controller counts a terminating pod as gone, grace period or not."""
    marked, gone = down(1, "a")
    found = rollout(listed("a"), [marked], up(2, "a"), [replace(gone, seconds=3)])
    assert (found.replaced, found.seconds) == (1, 1)


def test_a_pod_deleted_at_once_counts_as_down():
    """No MODIFIED with a deletionTimestamp first (a watch that missed it)."""
    found = rollout(listed("a"), down(1, "a")[1:], up(2, "a"))
    assert (found.replaced, found.peak_unavailable, found.seconds) == (1, 1, 1)


def test_min_ready_seconds_keeps_a_node_down_after_its_pod_is_ready():
    steps = (listed("a", "b"), down(1, "a"), up(2, "a"), down(2.5, "b"), up(3, "b"))
    assert rollout(*steps).peak_unavailable == 1
    slow = rollout(*steps, min_ready_seconds=1)
    assert (slow.peak_unavailable, slow.batches, slow.seconds) == (2, (2,), 3)


def test_a_watch_event_as_kubectl_prints_it():
    pod = {"metadata": {"name": "filebeat-x7k2p", "deletionTimestamp": "2025-01-01T00:00:00Z"},
           "spec": {"nodeName": "roll-01", "containers": [
               {"name": "sidecar", "image": "busybox"}, {"name": "filebeat", "image": NEW}]},
           "status": {"conditions": [{"type": "PodScheduled", "status": "True"},
                                     {"type": "Ready", "status": "True"}]}}
    assert pod_event(7.5, {"type": "MODIFIED", "object": pod}, "filebeat") == PodEvent(
        7.5, "MODIFIED", "filebeat-x7k2p", "roll-01", NEW, True, True)
    pending = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "filebeat",
                                                                   "image": OLD}]}}
    assert pod_event(0, {"type": "ADDED", "object": pending}, "filebeat") == PodEvent(
        0, "ADDED", "p", None, OLD, False, False)


def test_the_decoder_returns_each_document_on_its_last_line():
    first = {"type": "ADDED", "object": {"metadata": {"name": "a"}, "spec": {"x": [1, {}]}}}
    second = {"type": "DELETED", "object": {}}
    lines = (json.dumps(first, indent=4) + "\n" + json.dumps(second) + "\n").splitlines(True)
    decoder = WatchDecoder()
    found = [decoder.feed(line) for line in lines]
    assert found[-2:] == [[first], [second]]
    assert not any(found[:-2])
    assert decoder.feed("{\n") == [] and decoder.feed('    "a": 1\n') == []
    assert decoder.feed("}\n") == [{"a": 1}]


def test_the_watch_starts_once_the_old_pods_run():
    events = [*listed("a", "b"), PodEvent(0, "ADDED", "c", "c", OLD, False, False),
              *down(1, "b"), *up(2, "b")]
    assert running_old_pods(events, NEW) == {"old-a"}


def test_the_rollout_stacks_differ_from_dev_in_strategy_and_nodes(tmp_path):
    stack_file = tmp_path / "Pulumi.e2e-abc123.yaml"
    stack_file.write_text(stack_text("e2e-abc123", "kind-e2e", {"type": "OnDelete"}, "f00d"))
    [daemon_set] = render_stack_file(stack_file).manifests["DaemonSet"].values()
    pod = daemon_set["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", NODE_LABEL: "f00d"}
    assert daemon_set["spec"]["updateStrategy"] == {"type": "OnDelete"}
    config = yaml.safe_load(stack_file.read_text())["config"]
    dev = yaml.safe_load(e2e_stack_text("e2e-abc123", "kind-e2e"))["config"]
    for key in ("nodeSelector", "updateStrategy"):
        config["redis-filebeat:filebeat"].pop(key)
        dev["redis-filebeat:filebeat"].pop(key, None)
    assert config == dev

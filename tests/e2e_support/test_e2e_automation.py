"""The e2e suite's Automation API calls, without the CLI and against scripted
stand-ins for `pulumi` and `kubectl`: every step runs in every unit run, and a
failed step or destroy says what it must (tests/e2e/stack.py, conftest.py)."""

import json
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

import tests.e2e.test_deploy as steps
from tests.e2e.stack import TearDownError, ThrowawayStack
from tests.e2e_support.fakes import DAEMON_SET, NEW_IMAGE, pod, pre_event


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

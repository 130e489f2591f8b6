"""What the cluster's API server and the real engine say about our stacks,
without deploying any of them: a bad stack file stops `pulumi preview` with
our one line, and every committed stack's render (and the operator's Stack
object, and each way to expose a daemon) passes the API server's own
validation (`--dry-run=server`)."""

import json
import subprocess
import sys
import time

import pytest
import yaml

from tests.configs import render_config, with_filebeat
from tests.e2e.cluster import ROOT, e2e_stack_text
from tests.e2e.stack import ThrowawayStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
STEPS_IN_ORDER = False
"""Each test stands alone: one failing does not skip the others (conftest.py)."""

COMMITTED_STACKS = ("demo", "dev", "prod", "mixed-nodes")
EXPOSURES = ("push", "hostPort", "headless", "service")
UNKNOWN_KEY = "redis-filebeat:noSuchKey"


def run(command: list[str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=180, input=input,
                          cwd=ROOT)


def test_an_unknown_key_stops_preview_with_our_line(cluster, tmp_path):
    (tmp_path / "state").mkdir()
    stack = ThrowawayStack(tmp_path / "state", "local")
    document = yaml.safe_load(e2e_stack_text(stack.namespace, "local"))
    document["config"][UNKNOWN_KEY] = "x"
    try:
        stack.create(yaml.safe_dump(document, sort_keys=False), render=False)
        preview = stack.cli("preview")
        output = preview.stdout + preview.stderr
        assert preview.returncode != 0, output
        expected = f"stacks/Pulumi.{stack.name}.yaml: {UNKNOWN_KEY.partition(':')[2]}: unknown key"
        assert expected in output, output
        assert "Traceback" not in output, output
        export = stack.cli("stack", "export")
        assert export.returncode == 0, export.stderr
        state = json.loads(export.stdout).get("deployment", {})
        types = [r["type"] for r in state.get("resources", [])]
        assert set(types) <= {"pulumi:pulumi:Stack"}, types
    finally:
        stack.tear_down(on_output=lambda line: None)


def render(stack: str, *overrides: str) -> str:
    """`render --stack STACK`, with `--set` arguments."""
    sets = [arg for override in overrides for arg in ("--set", override)]
    result = run([sys.executable, "-m", "components", "render", "--stack", stack, *sets])
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_dry_run_passes(text: str) -> None:
    """`kubectl apply --dry-run=server` of these documents. Namespaced objects
    need their namespace to exist even for a dry run: those the documents use
    and the cluster lacks are created, and deleted after."""
    wanted = {d["metadata"].get("namespace") for d in yaml.safe_load_all(text) if d} - {None}
    existing = set(run(["kubectl", "get", "namespaces", "-o",
                        "jsonpath={.items[*].metadata.name}"]).stdout.split())
    created = sorted(wanted - existing)
    try:
        for namespace in created:
            made = run(["kubectl", "create", "namespace", namespace])
            assert made.returncode == 0, made.stderr
        applied = run(["kubectl", "apply", "--dry-run=server", "-f", "-"], input=text)
        assert applied.returncode == 0, applied.stdout + applied.stderr
    finally:
        for namespace in created:
            run(["kubectl", "delete", "namespace", namespace, "--timeout=120s"])


def install_crd(path: str) -> None:
    """Apply a vendored CRD for real (`--server-side`: these are too big for the
    annotation client-side apply writes) and wait until it is Established:
    `kubectl wait` fails outright while a CRD has no conditions yet."""
    applied = run(["kubectl", "apply", "--server-side", "-f", path])
    assert applied.returncode == 0, applied.stderr
    name = yaml.safe_load((ROOT / path).read_text())["metadata"]["name"]
    deadline, established = time.monotonic() + 60, ""
    while established != "True" and time.monotonic() < deadline:
        time.sleep(0.5)
        established = run(["kubectl", "get", f"crd/{name}", "-o",
                           'jsonpath={.status.conditions[?(@.type=="Established")].status}']
                          ).stdout.strip()
    assert established == "True", f"the CRD {name} was not Established within 60 s"


@pytest.fixture(scope="module")
def monitoring_crds(cluster):
    """prod renders a ServiceMonitor and a PrometheusRule: the API server
    validates them only against their CRDs, the ones vendored in tests/crds/."""
    paths = [f"tests/crds/monitoring.coreos.com_{kind}.yaml"
             for kind in ("servicemonitors", "prometheusrules")]
    try:
        for path in paths:
            install_crd(path)
        yield
    finally:
        for path in paths:
            run(["kubectl", "delete", "-f", path, "--wait=false"])


@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_the_render_passes_server_side_validation(monitoring_crds, stack):
    assert_dry_run_passes(render(stack))


POD_SPEC_OPTIONS = {
    # Init containers and memory-backed emptyDirs in both workloads, the
    # exporter reading its file from one of them.
    "existing-secret": ("prod", "redis.existingSecret.name=redis-auth-from-vault",
                        "redis.existingSecret.version=2026-12"),
    # privileged drops allowPrivilegeEscalation: false, which the API server
    # refuses beside it.
    "privileged-selinux": ("dev", "filebeat.privileged=true", "filebeat.seLinuxOptions.type=spc_t",
                           "filebeat.seLinuxOptions.level=s0"),
}
"""Options that shape the pod spec in ways the committed stacks do not."""


@pytest.mark.parametrize("options", POD_SPEC_OPTIONS.values(), ids=POD_SPEC_OPTIONS.keys())
def test_pod_spec_options_pass_server_side_validation(monitoring_crds, options):
    assert_dry_run_passes(render(*options))


@pytest.mark.parametrize("expose", EXPOSURES)
def test_every_exposure_passes_server_side_validation(cluster, expose):
    """The committed stacks all push; the other three patterns add a hostPort,
    a headless Service or a ClusterIP one, each with its NetworkPolicy."""
    config = with_filebeat(expose=expose, ports=[{"name": "metrics", "containerPort": 5066}])
    manifests = render_config(config | {"namespace": f"expose-{expose.lower()}"}).manifests
    assert_dry_run_passes(yaml.safe_dump_all(manifests.documents()))


def test_the_operator_stack_passes_server_side_validation(cluster):
    try:
        install_crd("tests/crds/pulumi.com_stacks.yaml")
        assert_dry_run_passes((ROOT / "deploy" / "operator" / "stack.yaml").read_text())
    finally:
        run(["kubectl", "delete", "-f", "tests/crds/pulumi.com_stacks.yaml", "--wait=false"])

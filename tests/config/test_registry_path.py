"""filebeat's registry is mounted read-write into a root container: only a directory of its own."""

import posixpath

import pytest

from tests.cli import cli
from tests.configs import STACKS, committed_stack, refused, render_config, with_filebeat

OWN = ("keep the registry in a directory of its own, such as the default "
       "/var/lib/redis-filebeat/<namespace>/<name>")


def registry_volume(config: dict) -> dict:
    out = render_config(config).manifests
    daemon_set = next(iter(out["DaemonSet"].values()))
    volumes = daemon_set["spec"]["template"]["spec"]["volumes"]
    return next(v for v in volumes if v["name"] == "registry")


def only_problem(**filebeat) -> str:
    lines = refused(with_filebeat(**filebeat))
    assert len(lines) == 1, lines
    return lines[0].removeprefix("<render_config>: ")


SYSTEM = ("mounted read-write into a container that runs as root, it hands filebeat every "
          f"file there; {OWN}")
APP_LOGS = "/srv/node/app-logs"
MOUNTED = ("which the pod also mounts to read logs from (hostPaths[0].path): read-write, "
           "filebeat could rewrite the logs it ships; keep the registry apart from every "
           "directory the pod reads")


@pytest.mark.parametrize(("path", "message"), [
    ("/", f"is the node's root directory itself: {SYSTEM}"),
    ("/var/lib", f"is the node's /var/lib itself: {SYSTEM}"),
    ("/var/log", f"is the node's /var/log itself: {SYSTEM}"),
    ("/etc", "is the node's /etc itself"),
    ("/usr/local", "is the node's /usr/local itself"),
    ("/proc/1", f"is in /proc, the kernel's view of its processes, where a write changes the "
                f"running node; {OWN}"),
    ("/sys/fs/cgroup/x", "is in /sys, "),
    ("/dev/shm/registry", "is in /dev, "),
    ("/run/containerd/x", "is in /run, "),
    ("/var/run/filebeat", "is in /var/run, "),
    ("/var/lib/kubelet/pods/x", "is in /var/lib/kubelet, "),
    ("/etc/kubernetes/manifests", "is in /etc/kubernetes, "),
    ("/var/lib/containerd", "is in /var/lib/containerd, "),
    ("/var/lib/docker/containers", "is in /var/lib/docker, "),
    ("/var/lib/filebeat/../kubelet", "'/var/lib/filebeat/../kubelet' is not written plainly; "
     "write it as '/var/lib/kubelet', the directory it names, so that it can be compared with "
     "the node's and the pod's other directories"),
    ("/var/lib/filebeat-registry/", "'/var/lib/filebeat-registry/' is not written plainly; "
     "write it as '/var/lib/filebeat-registry'"),
    ("/var/lib//filebeat", "'/var/lib//filebeat' is not written plainly; write it as "
     "'/var/lib/filebeat'"),
    ("/var/log/filebeat", "the registry /var/log/filebeat lies inside /var/log, which the pod "
     "also mounts to read logs from (containerLogs.hostPaths[0]): its files would sit among "
     "the logs filebeat reads, where a path glob or the node's log clean-up reaches them; "
     "keep the registry apart from every directory the pod reads"),
    (APP_LOGS, f"the registry is {APP_LOGS}, {MOUNTED}"),
    ("/srv/node", f"the registry /srv/node holds {APP_LOGS}, {MOUNTED}"),
])
def test_a_dangerous_registry_is_refused(path, message):
    line = only_problem(registryHostPath=path,
                        hostPaths=[{"name": "app-logs", "path": APP_LOGS}])
    assert line.startswith(f"filebeat.registryHostPath: {message}"), line


def test_a_log_directory_set_over_the_registry_is_blamed_on_its_set():
    value = 'filebeat.containerLogs.hostPaths=["/var/log","/var/lib/redis-filebeat"]'
    result = cli("render", "--stack", "dev", "--set", value)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"--set {value}: filebeat.containerLogs.hostPaths[1]: the registry "
        "/var/lib/redis-filebeat/logging/filebeat lies inside /var/lib/redis-filebeat, which "
        "the pod also mounts to read logs from (containerLogs.hostPaths[1]): its files would "
        "sit among the logs filebeat reads, where a path glob or the node's log clean-up "
        "reaches them; keep the registry apart from every directory the pod reads"]


@pytest.mark.parametrize("path", [
    "/var/lib/filebeat-registry/logging", "/var/lib/filebeat-data", "/opt/filebeat/registry",
    "/data/filebeat", "/var/lib/redis-filebeat/logging/filebeat",
])
def test_a_directory_of_its_own_is_mounted(path):
    assert registry_volume(with_filebeat(registryHostPath=path))["hostPath"] == {
        "path": path, "type": "DirectoryOrCreate"}


@pytest.mark.parametrize("namespace", ["default", "logging", "a" * 63])
@pytest.mark.parametrize("name", ["filebeat", "x", "b" * 63])
def test_the_derived_default_is_never_refused(namespace, name):
    volume = registry_volume(with_filebeat(name=name) | {"namespace": namespace})
    assert volume["hostPath"]["path"] == f"/var/lib/redis-filebeat/{namespace}/{name}"


@pytest.mark.parametrize("stack", STACKS)
def test_every_committed_stacks_registry_is_accepted(stack):
    render_config(committed_stack(stack))


def test_a_path_that_holds_a_refused_directory_is_itself_refused():
    """Equality with SYSTEM_DIRS is enough only while it holds every parent."""
    from components.config.filebeat.registry import NODE_INTERNALS, SYSTEM_DIRS

    parents = {posixpath.dirname(d) for d in SYSTEM_DIRS | set(NODE_INTERNALS)}
    assert parents <= SYSTEM_DIRS

"""The names and commands the end-to-end suite reads from the stack's own render,
rather than typing them again; tested by the unit run (tests/e2e_support)."""

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from components.render.manifests import Manifest
from components.render.renderer import render_stack_file
from components.workloads.redis.conf import PASSWORD_FILE, STARTUP_AUTH_DIR


class Rendered:
    """The names the suite looks for, read from the stack's own render rather
    than typed again: the redis key, db, port and password file, the
    workloads, their containers and selectors."""

    def __init__(self, stack_file: Path):
        manifests = render_stack_file(stack_file).manifests
        self.items: tuple[Manifest, ...] = manifests.objects
        [self.daemon_set] = manifests["DaemonSet"].values()
        [self.deployment] = manifests["Deployment"].values()
        self.namespace: str = self.deployment["metadata"]["namespace"]
        self.daemon_set_name: str = self.daemon_set["metadata"]["name"]
        self.redis_name: str = self.deployment["metadata"]["name"]

        filebeat_pod = self.daemon_set["spec"]["template"]["spec"]
        [filebeat] = filebeat_pod["containers"]
        self.filebeat_container: str = filebeat["name"]
        self.filebeat_image: str = filebeat["image"]
        [config_volume] = [v for v in filebeat_pod["volumes"] if v["name"] == "config"]
        config_map = manifests["ConfigMap"][config_volume["configMap"]["name"]]
        output = yaml.safe_load(config_map["data"]["filebeat.yml"])["output.redis"]
        self.key: str = output["key"]
        self.db: int = output.get("db", 0)

        redis_pod = self.deployment["spec"]["template"]["spec"]
        [redis] = redis_pod["containers"]
        self.redis_container: str = redis["name"]
        self.redis_port: int = redis["ports"][0]["containerPort"]
        self.password_file = _password_file(redis, redis_pod["volumes"],
                                            manifests.get("Secret", {}))
        labels = self.deployment["spec"]["template"]["metadata"]["labels"]
        [service] = [s for s in manifests["Service"].values()
                     if s["spec"].get("selector", {}).items() <= labels.items()
                     and any(p.get("targetPort") in (self.redis_port, "redis")
                             for p in s["spec"]["ports"])]
        self.service_host = f"{service['metadata']['name']}.{self.namespace}.svc.cluster.local"
        self.service_port: int = service["spec"]["ports"][0]["port"]

    # Commands run against the cluster.

    def _kubectl(self, context: str) -> list[str]:
        return ["kubectl", "--context", context, "-n", self.namespace]

    def redis_cli(self, context: str, *args: str, host: str | None = None) -> list[str]:
        """redis-cli inside the redis pod, authenticated the way its probes are:
        the password is read from the mounted file, never put on a command line.
        With `host`, through that name, as the tutorial asks the Service's."""
        port = self.service_port if host else self.redis_port
        script = (f'REDISCLI_AUTH="$(cat {shlex.quote(self.password_file)})" '
                  + (f"redis-cli -h {shlex.quote(host)} " if host else "redis-cli ")
                  + f"-p {port} -n {self.db} "
                  + " ".join(shlex.quote(a) for a in args))
        return [*self._kubectl(context), "exec", f"deploy/{self.redis_name}",
                "-c", self.redis_container, "--", "sh", "-c", script]

    def rollout_command(self, context: str, timeout_seconds: int) -> list[str]:
        return [*self._kubectl(context), "rollout", "status",
                f"daemonset/{self.daemon_set_name}", f"--timeout={timeout_seconds}s"]

    def pods_command(self, context: str) -> list[str]:
        return [*self._kubectl(context), "get", "pods", "-l", selector(self.daemon_set),
                "-o", "json"]

    def daemon_set_command(self, context: str) -> list[str]:
        return [*self._kubectl(context), "get", f"daemonset/{self.daemon_set_name}",
                "-o", "json"]

    def cleanup_commands(self, context: str) -> list[str]:
        """What removes the stack by hand when `pulumi destroy` could not:
        the namespace takes every namespaced object with it."""
        cluster_wide = [m for m in self.items if m.namespace is None and m.kind != "Namespace"]
        commands = [["kubectl", "--context", context, "delete", "namespace", self.namespace,
                     "--ignore-not-found"]]
        commands += [["kubectl", "--context", context, "delete", m.kind.lower(), m.name,
                      "--ignore-not-found"] for m in cluster_wide]
        return [shlex.join(c) for c in commands]


def selector(workload: Mapping[str, Any]) -> str:
    """A Deployment's or DaemonSet's pod selector, as `kubectl get -l` takes it."""
    labels = workload["spec"]["selector"]["matchLabels"]
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _password_file(container: Mapping[str, Any], volumes: Sequence[Mapping[str, Any]],
                   secrets: Mapping[str, Mapping[str, Any]]) -> str:
    """The file the redis pod reads its password from: the Secret's password
    key where the container mounts it (the folder, or the file by subPath), or, with
    redis.existingSecret, the folder its start-up step writes."""
    by_name = {v["name"]: v for v in volumes}
    for mount in container.get("volumeMounts", []):
        secret = by_name[mount["name"]].get("secret")
        if secret and PASSWORD_FILE in secrets.get(secret["secretName"], {}).get(
                "stringData", {}):
            if "subPath" not in mount:
                return f"{mount['mountPath'].rstrip('/')}/{PASSWORD_FILE}"
            if mount["subPath"] == PASSWORD_FILE:  # the file itself, as it was at start
                return mount["mountPath"]
        if mount["mountPath"] == STARTUP_AUTH_DIR:
            return f"{STARTUP_AUTH_DIR}/{PASSWORD_FILE}"
    raise LookupError("the redis container mounts no Secret holding the password; "
                      "is auth off in this stack?")

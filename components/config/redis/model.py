"""How the redis log buffer is configured: the pod, the redis.conf it runs, its storage.

A log buffer has one job, and it is the opposite of a cache's: never drop
what it was given. So the defaults push back on the sender when full
(`noeviction`) rather than evict, and a memory limit always comes with a
`maxmemory` below it, because an OOM-killed redis loses everything at once.
"""

from pydantic import model_validator

from ..base import CamelModel, KeyedError
from ..kube.memory import REDIS
from ..kube.names import DNS1035Label, DNS1123Label, LabelKey, Labels, LabelValue
from ..kube.node_selection import NodeAffinity, TopologySpread
from ..kube.numbers import Count, Port, Quantity
from ..kube.pod import Toleration
from ..kube.workload import WorkloadConfig
from .acl import DEFAULT_DENIED, CommandName, denial_problem
from .auth import ExistingSecret
from .buffer import Buffer
from .directives import ExtraConfig
from .maxmemory import MaxmemoryPolicy, check_maxmemory, maxmemory_bytes, maxmemory_text
from .monitoring import Monitoring
from .persistence import Persistence


class RedisClient(CamelModel):
    """A workload besides filebeat that may connect, such as the logstash that
    drains the buffer."""

    pod_labels: Labels
    """Labels its pods carry."""
    namespace: DNS1123Label | None = None
    """Its namespace. Default: the stack's own."""


class RedisConfig(WorkloadConfig):
    """The redis log buffer: one Deployment and the Service in front of it."""

    memory_floor = REDIS

    name: DNS1035Label = "redis"
    """Names the Deployment and the Service, and so the DNS name filebeat
    ships to. Default 'redis'. A DNS-1035 label, because Services need one."""
    replicas: Count = 1
    """Default 1; 0 parks the buffer. More is refused: each replica would be an
    independent buffer behind one Service, and a reader drains only the pod its
    connection lands on, so logs would be stranded in the others."""
    port: Port = 6379
    """The Service port that filebeat connects to. Default 6379."""
    container_port: Port = 6379
    """The port redis listens on inside the pod, and so the Service's
    targetPort. Default 6379, redis' own."""
    auth: bool = True
    """Require a password: from the `redisPassword` secret, or from
    `existingSecret`. Default true; only the tutorial's demo turns it off."""
    existing_secret: ExistingSecret | None = None
    """Take the password from a Secret someone else made (External Secrets,
    Sealed Secrets) instead of `redisPassword`. Default unset: the stack
    makes its own Secret from `redisPassword`. Refused together with
    `redisPassword`, and with `auth: false`."""
    maxmemory: Quantity | None = None
    """The most memory the buffer may hold, e.g. '192Mi': a whole number of
    bytes from 1Mi to 1Pi, below limits.memory. Default: 75% of limits.memory
    rounded down to whole MiB, or no cap when there is no memory limit."""
    maxmemory_policy: MaxmemoryPolicy = "noeviction"
    """What redis does when full. Default noeviction: refuse the write, so
    filebeat waits and retries and nothing buffered is lost. redis evicts
    whole keys, and filebeat's list is one: an allkeys-* policy deletes the
    whole buffer when full, every event in it at once, without a refused
    write; a volatile-* policy finds no key with a TTL to evict and refuses
    the write as noeviction does."""
    persistence: Persistence = Persistence()
    """Default: off, the buffer lives as long as the pod."""
    buffer: Buffer = Buffer()
    """How the list is held in memory: compressed, by default, to about a
    fifth of redis' default ([sizing](buffer.md#sizing))."""
    network_policy: bool = True
    """Admit only filebeat's pods and `clients` to the redis port. Default true."""
    clients: list[RedisClient] = []
    """Other workloads the NetworkPolicy admits, such as the buffer's reader.
    Default none."""
    node_selector: dict[LabelKey, LabelValue] = {"kubernetes.io/os": "linux"}
    """Run only on nodes with these labels. Default {kubernetes.io/os: linux}:
    the image is a Linux one, and a mixed cluster would otherwise try Windows
    nodes too."""
    node_affinity: NodeAffinity | None = None
    """Finer node choice, the same terms as filebeat's. Default unset."""
    tolerations: list[Toleration] = []
    """Taints to tolerate, e.g. to run on a dedicated logging pool. Default none."""
    priority_class_name: DNS1123Label | None = None
    """Default unset: the cluster's default priority. A class of your own above
    the apps' keeps the buffer scheduled when nodes are full. The system-*-critical
    classes are refused: they are for what keeps the cluster or a node running."""
    topology_spread_constraints: list[TopologySpread] = []
    """Default none. With one replica a spread only matters against the
    workload's own pods, so most stacks leave it out; it is here for parity
    with the charts."""
    monitoring: Monitoring = Monitoring()
    """Default off: no exporter, no alerts ([monitoring](buffer.md#monitoring))."""
    denied_commands: list[CommandName] = list(DEFAULT_DENIED)
    """Commands no client may run, as ACL rules for redis' default user, which
    every client logs in as. A name (`FLUSHALL`) or a subcommand (`CONFIG|SET`).
    Default: what would empty the buffer (FLUSHALL, FLUSHDB, SWAPDB, MIGRATE),
    undo these rules or the password, or run code (CONFIG, ACL, MODULE, DEBUG),
    overwrite it from another server (REPLICAOF, SLAVEOF), stop it (SHUTDOWN),
    or stall it for every client (KEYS, MONITOR): none of filebeat, a reader
    or the exporter sends them. `[]` denies nothing, and is required for a
    redis older than 7; commands filebeat, the probes or the exporter send
    are refused ([command hardening](buffer.md#command-hardening))."""
    extra_config: ExtraConfig = {}
    """redis.conf directives the stack does not model, name to value, written
    after ours: `{hz: 20, client-output-buffer-limit: [pubsub, 32mb, 8mb, 60]}`.
    A value is one argument (true/false become yes/no) or a list of them, and
    is quoted for redis' parser. Default none. Names redis 7.4 does not know,
    and the ones the stack writes or that would break the pod, are refused
    ([extra directives](buffer.md#extra-directives))."""

    @property
    def auth_secret_name(self) -> str:
        return f"{self.name}-auth"

    @property
    def claim_name(self) -> str:
        """The claim the pod mounts: an existing one, or ours."""
        return self.persistence.existing_claim or f"{self.name}-data"

    def object_names(self) -> set[tuple[str, str]]:
        """The namespaced objects named after redis that another component
        could also name: kind and name."""
        return {("ConfigMap", self.config_map_name), ("Secret", self.auth_secret_name),
                ("NetworkPolicy", self.name), ("Service", self.name),
                *self.monitoring.object_names(self.name)}

    def maxmemory_bytes(self) -> int | None:
        """The cap redis.conf gets: the configured one, else a share of the limit."""
        return maxmemory_bytes(self.maxmemory, self.resources.limits.memory)

    @model_validator(mode="after")
    def _maxmemory_fits(self) -> "RedisConfig":
        check_maxmemory(self.maxmemory, self.resources.limits.memory)
        return self

    @model_validator(mode="after")
    def _claim_holds_the_aof(self) -> "RedisConfig":
        maxmemory = self.maxmemory_bytes()
        problem = maxmemory and self.persistence.too_small_for(
            maxmemory, maxmemory_text(self.maxmemory, maxmemory))
        if problem:
            raise KeyedError("persistence.size", problem, also=(
                "maxmemory" if self.maxmemory else "resources.limits.memory",
                "persistence.enabled"))
        return self

    @model_validator(mode="after")
    def _not_system_critical(self) -> "RedisConfig":
        if self.priority_class_name in ("system-node-critical", "system-cluster-critical"):
            raise KeyedError("priorityClassName", (
                f"{self.priority_class_name} is for what keeps the cluster or a node "
                "running, and outside kube-system needs a quota; create a PriorityClass "
                "of your own for the buffer"))
        return self

    @model_validator(mode="after")
    def _one_buffer(self) -> "RedisConfig":
        if self.replicas > 1:
            raise KeyedError("replicas", (
                f"must be 0 or 1 (got {self.replicas}): each replica would be a separate "
                "buffer behind one Service, and a reader drains only the pod its connection "
                "lands on, so logs would be stranded in the others"
            ))
        return self

    @model_validator(mode="after")
    def _denials_fit_the_image_and_the_exporter(self) -> "RedisConfig":
        problem = denial_problem(self.denied_commands, self.image, self.monitoring.enabled)
        if problem:
            raise KeyedError("deniedCommands", *problem)
        return self

    @model_validator(mode="after")
    def _monitoring_has_what_it_needs(self) -> "RedisConfig":
        monitoring = self.monitoring
        if not monitoring.enabled:
            return self
        if self.network_policy and monitoring.scraper_namespace is None:
            raise KeyedError("monitoring.scraperNamespace", (
                "monitoring.scraperNamespace is required when monitoring is enabled and "
                "networkPolicy is on: the policy admits the metrics port only from "
                "Prometheus' namespace"), also=("networkPolicy", "monitoring.enabled"))
        if monitoring.rules.enabled and self.maxmemory_bytes() is None:
            raise KeyedError("monitoring.rules", (
                "monitoring.rules need a maxmemory (set maxmemory or resources.limits.memory): "
                "without one redis never refuses a write, and the memory alert has nothing "
                "to measure against"), also=("maxmemory", "resources.limits.memory",
                                             "monitoring.enabled"))
        if monitoring.port == self.container_port:
            raise KeyedError("monitoring.port", (
                f"monitoring.port ({monitoring.port}) is containerPort's too; the exporter "
                "and redis share the pod's network, so each needs a port of its own"),
                also=("containerPort", "monitoring.enabled"))
        return self

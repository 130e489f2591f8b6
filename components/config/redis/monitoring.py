"""How the buffer is watched: a redis_exporter beside redis, and the alerts on what it exports.

A buffer fails quietly: filebeat backs off when redis is full, and keeps its
place in each file, so no error shows until the node's logs rotate away
unread. The alerts here are meant to fire while there is still time to act.
"""

from typing import Annotated

from pydantic import Field, model_validator

from ..base import CamelModel, KeyedError
from ..kube.image import Digest, Image, digest_conflict, is_pinned
from ..kube.memory import EXPORTER
from ..kube.names import DNS1123Label, LabelKey, LabelValue
from ..kube.numbers import Port
from ..kube.pod import ImagePullPolicy, ResourceList, Resources

Minutes = Annotated[int, Field(ge=1, le=1440)]


class BufferRules(CamelModel):
    """The PrometheusRule's alerts, and the thresholds they fire at
    (docs/buffer.md#monitoring says why each default is what it is)."""

    enabled: bool = True
    """Create the PrometheusRule. Default true."""
    memory_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.9
    """RedisBufferMemoryHigh fires when used memory stays above this share of
    maxmemory: at maxmemory redis refuses filebeat's writes. Default 0.9."""
    memory_for_minutes: Minutes = 5
    """How long memory must stay above `memoryFraction`. Default 5."""
    full_within_minutes: Annotated[int, Field(ge=1, le=10080)] = 60
    """RedisBufferFullSoon fires when memory's growth over the last half hour,
    carried on (`predict_linear`), reaches maxmemory within this many minutes:
    the time left to drain the buffer or give it memory. Default 60."""
    full_for_minutes: Minutes = 5
    """How long the prediction must hold, so a burst the reader drains at once
    does not page. Default 5."""
    growing_for_minutes: Minutes = 15
    """RedisBufferGrowing fires when the list's five-minute trend has been
    upward this long: the reader is slower than filebeat. Default 15."""
    no_consumer_for_minutes: Minutes = 10
    """RedisBufferNoConsumer fires when the list holds entries and no command
    took any off it for this long. Default 10."""
    rejected_writes_for_minutes: Annotated[int, Field(ge=0, le=1440)] = 0
    """RedisBufferRejectingWrites fires once redis has answered a write with
    OOM; this long after that, if any. Default 0: at once, since filebeat is
    already stalled."""
    exporter_down_for_minutes: Minutes = 5
    """RedisBufferUnwatched fires when the exporter cannot be scraped or
    cannot reach redis this long, as every other alert is then silent. Default 5."""


def _exporter_resources() -> Resources:
    return Resources(requests=ResourceList(cpu="10m", memory="32Mi"),
                     limits=ResourceList(cpu="100m", memory="64Mi"))


class Monitoring(CamelModel):
    """A redis_exporter sidecar in the redis pod, a metrics Service, a
    ServiceMonitor and a PrometheusRule (both prometheus-operator kinds)."""

    enabled: bool = False
    """Default false: the kinds need prometheus-operator's CRDs in the cluster."""
    image: Image | None = None
    """The exporter's image, e.g. 'oliver006/redis_exporter:v1.88.0'. Required
    when enabled, as with redis' own image: no default suits every registry."""
    image_digest: Digest | None = None
    """Pins the image as `<image>@<digest>`, as redis.imageDigest does. Default
    unset, with checkov's CKV_K8S_43 waived until it is set."""
    image_pull_policy: ImagePullPolicy | None = None
    """Default: IfNotPresent once the image is pinned (`imageDigest` set, or the
    image names `@sha256:`), as for redis' and filebeat's own images. Unpinned,
    unset: Kubernetes picks Always for ':latest' or no tag, else IfNotPresent."""
    resources: Resources = Field(default_factory=_exporter_resources)
    """Default requests 10m CPU and 32Mi, limits 100m and 64Mi: the exporter
    answers one scrape at a time with a few INFO calls and one LLEN."""
    port: Port = 9121
    """The exporter's port, in the pod and on the metrics Service. Default
    9121, the exporter's own."""
    scraper_namespace: DNS1123Label | None = None
    """The namespace Prometheus runs in: the redis NetworkPolicy admits the
    metrics port from there, and only from there. Required when enabled and
    redis.networkPolicy is on."""
    service_monitor: bool = True
    """Create the ServiceMonitor that points Prometheus at the metrics Service.
    Default true. false when Prometheus finds its targets another way, which
    needs rules off too: the alerts select the series by the job label the
    ServiceMonitor gives them."""
    scrape_interval_seconds: Annotated[int, Field(ge=5, le=3600)] | None = None
    """Default unset: the Prometheus' own interval."""
    labels: dict[LabelKey, LabelValue] = {}
    """Extra labels on the ServiceMonitor and the PrometheusRule, which a
    Prometheus selects them by (kube-prometheus-stack wants `release: <its
    release>`). Default none."""
    rules: BufferRules = BufferRules()
    """Default: every alert, with the thresholds above."""

    @model_validator(mode="after")
    def _what_it_needs(self) -> "Monitoring":
        if self.enabled and self.image is None:
            raise KeyedError("image", (
                "monitoring.image is required when monitoring is enabled, e.g. "
                "'oliver006/redis_exporter:v1.88.0'"), also=("enabled",))
        if self.enabled and self.rules.enabled and not self.service_monitor:
            raise KeyedError("serviceMonitor", (
                "serviceMonitor must be true while rules are enabled: the alerts find this "
                "buffer's series by the job label the ServiceMonitor gives them"),
                also=("rules.enabled", "enabled"))
        if self.image is not None:
            conflict = digest_conflict(self.image, self.image_digest)
            if conflict:
                raise KeyedError("imageDigest", conflict, also=("image",))
        problem = self.resources.memory_below(EXPORTER)
        if problem:
            raise KeyedError(f"resources.{problem[0]}", problem[1])
        return self

    @property
    def pull_policy(self) -> ImagePullPolicy | None:
        """The exporter container's policy, by the workloads' rule: the configured
        one, else IfNotPresent for a pinned image, else none (Kubernetes' default)."""
        if self.image_pull_policy is not None:
            return self.image_pull_policy
        if self.image is not None and is_pinned(self.image, self.image_digest):
            return "IfNotPresent"
        return None

    def object_names(self, redis_name: str) -> set[tuple[str, str]]:
        """The objects monitoring adds, named after redis: kind and name."""
        if not self.enabled:
            return set()
        names = {("Service", metrics_service_name(redis_name))}
        if self.service_monitor:
            names.add(("ServiceMonitor", redis_name))
        if self.rules.enabled:
            names.add(("PrometheusRule", redis_name))
        return names


def metrics_service_name(redis_name: str) -> str:
    return f"{redis_name}-metrics"

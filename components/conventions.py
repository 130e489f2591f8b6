"""The Kubernetes and Pulumi annotations and labels this project writes.

A leaf, so that `diff`, which only reads manifests, recognises what the
workloads wrote without importing them.
"""

from .project import PROJECT

CHECKSUM_ANNOTATION = "checksum/config"
"""On a pod template: a digest of the config its pods read, so a config
change is a template change and rolls the pods."""
AUTH_CHECKSUM_ANNOTATION = "checksum/redis-auth"
"""On a pod template: a slow, salted digest of the redis password, so
rotating the password rolls the pods that use it (see `secret_checksum`)."""
AUTH_VERSION_ANNOTATION = "checksum/redis-auth-version"
"""On a pod template, instead of `checksum/redis-auth` when the password is
in a Secret the stack did not make: the `existingSecret.version` the
operator bumps with each rotation, since Pulumi cannot read that Secret."""
OWNED_POD_ANNOTATION_PREFIXES = ("checksum/",)
"""Pod-template annotation keys we write ourselves, so a stack's
`podAnnotations` may not set them."""
SKIP_AWAIT = "pulumi.com/skipAwait"
"""pulumi-kubernetes does not wait for the object to become ready."""
PATCH_FORCE = "pulumi.com/patchForce"
"""pulumi-kubernetes applies with force: the fields the stack sets are taken
back from any other field manager (`kubectl set image`) instead of failing."""
TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds"
"""How long pulumi-kubernetes waits for the object before `pulumi up` fails."""
NODE_CLASS_LABEL = "node-class"
"""On each node class's pods, so the classes' DaemonSets select disjoint pods."""

# Kubernetes' recommended labels, on every object of ours and on its pods
# (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels).
# Never in a selector: a DaemonSet's or Deployment's selector is immutable,
# so adding one there would re-create every deployed workload.
NAME_LABEL = "app.kubernetes.io/name"
"""The application: the workload's name (`redis`, `filebeat`), the project's
for what the stack shares (its Namespace). Also the default selector label."""
INSTANCE_LABEL = "app.kubernetes.io/instance"
"""The stack: the same program deployed twice differs here."""
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
PART_OF_LABEL = "app.kubernetes.io/part-of"
"""The project, `redis-filebeat`: what rendered the objects, and what they make up."""
MANAGED_BY = "pulumi"
"""The tool that applies the objects and owns their lifecycle: Pulumi, not this
package, which only says what they should be (`part-of` names it). It is also
what pulumi-kubernetes writes itself: under client-side apply it sets this label
to `pulumi` on every object it creates, over any other value, so another value
would render one thing and deploy another; under server-side apply (its
default) it writes none, and this one answers `-l app.kubernetes.io/managed-by=pulumi`.
A folder rendered for a GitOps tool says `pulumi` too, as the render is what
`pulumi up` deploys."""


def recommended_labels(name: str, instance: str | None) -> dict[str, str]:
    """The recommended labels of an object of `name` in stack `instance`, which
    must be a label value. `instance` None: the ones known before the stack is,
    which is all config validation sees."""
    labels = {NAME_LABEL: name, MANAGED_BY_LABEL: MANAGED_BY, PART_OF_LABEL: PROJECT}
    return labels if instance is None else {**labels, INSTANCE_LABEL: instance}


REDIS_LIST_DEFAULTS = {"list-compress-depth": 0, "list-max-listpack-size": -2}
"""redis' own list settings: what a redis.conf that leaves them out runs. The
generated file writes only what differs, and `diff` reads it back."""

LISTPACK_SIZE_BEFORE_7 = "list-max-ziplist-size"
"""list-max-listpack-size's name before redis 7, which 7 still reads: the one a
redis 6 image's redis.conf gets."""


def redis_size(size: int) -> str:
    """Bytes as redis.conf says them: in the largest of gb, mb and kb that holds
    them exactly (redis reads those as binary units), else plain bytes."""
    for unit, suffix in ((2**30, "gb"), (2**20, "mb"), (2**10, "kb")):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)

"""The Kubernetes and Pulumi annotations and labels this project writes.

A leaf, so that `diff`, which only reads manifests, recognises what the
workloads wrote without importing them.
"""

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

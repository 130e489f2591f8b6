"""redis-filebeat's rules for DaemonSets, as a policy pack any Pulumi program can run under.

    pulumi preview --policy-pack policy      # after: (cd policy && python3 -m venv .venv &&
                                             #   .venv/bin/pip install -r requirements.txt)

The rules are what this project's own components do by construction, for
stacks that are not built with them (docs/policy.md). The rollout estimate
is `diff`'s own (review/rollout.py, which imports nothing but the standard
library), so the two never disagree.
"""

import sys
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from rules import on_delete_without_skip_await, plain, pod_security_gaps, surge_shares_the_node

try:  # installed: pip install redis-filebeat
    from redis_filebeat.review.rollout import rollout_waves
except ImportError:  # run from this repository, where the package is its components/ folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from components.review.rollout import rollout_waves

DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
WORKLOADS = {DAEMON_SET, "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet",
             "kubernetes:core/v1:Pod"}
DEFAULT_NODES = 10


def _surge(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == DAEMON_SET:
        for problem in surge_shares_the_node(plain(args.props)):
            report(problem, None)


def _on_delete(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == DAEMON_SET and on_delete_without_skip_await(plain(args.props)):
        report("updateStrategy OnDelete: `pulumi up` waits for a rollout that starts only when "
               "someone deletes the pods, and fails at its timeout; annotate the DaemonSet "
               "pulumi.com/skipAwait: \"true\"", None)


def _waves(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != DAEMON_SET:
        return
    nodes = int(args.get_config().get("nodes", DEFAULT_NODES))
    waves = rollout_waves(plain(args.props), nodes)
    if waves is not None:
        report(f"a pod template change rolls out in about {waves} waves over {nodes} nodes "
               "(ceil(nodes / maxUnavailable)); set this pack's `nodes` to your cluster's "
               "count, or raise maxUnavailable for a faster rollout", None)


def _security(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in WORKLOADS:
        for problem in pod_security_gaps(args.resource_type, plain(args.props)):
            report(problem, None)


PolicyPack(
    name="redis-filebeat-rollouts",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="daemonset-surge-shares-node",
            description="A DaemonSet with maxSurge starts the new pod beside the old one on "
                        "each node: a hostPort or a writable hostPath they would share fails it.",
            validate=_surge),
        ResourceValidationPolicy(
            name="daemonset-ondelete-skips-await",
            description="An OnDelete DaemonSet needs pulumi.com/skipAwait, or `pulumi up` waits "
                        "for pods nobody deletes.",
            enforcement_level=EnforcementLevel.ADVISORY,
            validate=_on_delete),
        ResourceValidationPolicy(
            name="daemonset-rollout-waves",
            description="How many waves a DaemonSet's rollout takes, as redis-filebeat's diff "
                        "estimates it.",
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=PolicyConfigSchema(properties={
                "nodes": {"type": "integer", "minimum": 1, "default": DEFAULT_NODES}}),
            validate=_waves),
        ResourceValidationPolicy(
            name="pod-security",
            description="Every container as redis-filebeat's own: not privileged, no privilege "
                        "escalation, every capability dropped, a read-only root filesystem, a "
                        "memory limit, and a seccomp profile.",
            validate=_security),
    ],
)

"""Each update strategy renders exactly as configured."""

import pytest

from components.review.rollout import rollout_waves
from tests.configs import render_config, with_filebeat


def strategy(update_strategy: dict) -> dict:
    # Without a node registry, so that surging is allowed.
    out = render_config(with_filebeat(updateStrategy=update_strategy, registryHostPath=None))
    return out.manifests["DaemonSet"]["filebeat"]["spec"]["updateStrategy"]


@pytest.mark.parametrize(("given", "rendered"), [
    ({"type": "RollingUpdate"},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
    ({"type": "RollingUpdate", "maxUnavailable": 3, "maxSurge": 0},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 3, "maxSurge": 0}}),
    ({"type": "RollingUpdate", "maxUnavailable": "25%", "maxSurge": 0},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}),
    ({"type": "RollingUpdate", "maxUnavailable": 0, "maxSurge": 1},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}),
    ({"type": "RollingUpdate", "maxUnavailable": "0%", "maxSurge": "100%"},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "0%", "maxSurge": "100%"}}),
    # Kubernetes defaults the type, and so do we.
    ({"maxUnavailable": 2},
     {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2, "maxSurge": 0}}),
    ({"type": "OnDelete"}, {"type": "OnDelete"}),
], ids=["default-knobs", "count", "percent", "surge", "percent-surge", "type-omitted", "on-delete"])
def test_strategy_renders_as_configured(given, rendered):
    assert strategy(given) == rendered


def test_on_delete_has_no_rolling_update_block():
    assert "rollingUpdate" not in strategy({"type": "OnDelete"})


# How many waves `diff`'s rollout rule expects, as docs/rollouts.md says:
# ceil(nodes / the nodes replaced at a time), a percentage of the nodes
# rounded up, as the DaemonSet controller scales it.

def daemon_set(update_strategy: dict) -> dict:
    out = render_config(with_filebeat(updateStrategy=update_strategy, registryHostPath=None))
    return out.manifests["DaemonSet"]["filebeat"]


@pytest.mark.parametrize(("given", "nodes", "waves"), [
    ({"type": "RollingUpdate"}, 20, 20),
    ({"maxUnavailable": 3}, 20, 7),
    ({"maxUnavailable": "25%"}, 20, 4),
    ({"maxUnavailable": "25%"}, 18, 4),   # 4.5 nodes a wave round up to 5, not down to 4
    ({"maxUnavailable": "10%"}, 5, 5),    # half a node rounds up to one
    ({"maxUnavailable": 30}, 20, 1),
    ({"maxUnavailable": 0, "maxSurge": 2}, 5, 3),
    ({"maxUnavailable": 0, "maxSurge": "50%"}, 5, 2),
    ({"type": "RollingUpdate"}, 0, 0),
], ids=["default", "count", "percent", "percent-rounds-up", "less-than-a-node", "all-at-once",
        "surge", "percent-surge", "no-nodes"])
def test_a_rollout_takes_ceil_nodes_over_its_budget_waves(given, nodes, waves):
    assert rollout_waves(daemon_set(given), nodes) == waves


def test_on_delete_rolls_no_waves_by_itself():
    assert rollout_waves(daemon_set({"type": "OnDelete"}), 20) is None

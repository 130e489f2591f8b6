"""Each update strategy renders exactly as configured."""

import pytest

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

"""Every manifest of every stack passes Kubernetes' own OpenAPI schemas, strict
(no unknown fields), for the oldest and the newest version kubernetes-validate ships."""

import kubernetes_validate
import pytest
from kubernetes_validate.utils import ValidationError, all_versions

from components.render import find_stack_file, render_stack_file
from tests.configs import STACKS

VERSIONS = sorted(set(all_versions()),
                  key=lambda v: tuple(int(p) for p in v.split(".")))
OLDEST_AND_NEWEST = [VERSIONS[0], VERSIONS[-1]]


def test_the_stacks_are_found():
    assert {"demo", "dev", "prod"} <= set(STACKS)


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
@pytest.mark.parametrize("stack", STACKS)
def test_stack_validates(stack, version):
    manifests = render_stack_file(find_stack_file(stack)).manifests
    assert manifests.items
    for manifest in manifests.items:
        kubernetes_validate.validate(manifest.body, version, strict=True)


def test_the_schema_check_can_fail():
    manifest = render_stack_file(find_stack_file("demo")).manifests["DaemonSet"]["filebeat-ds"]
    manifest["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(manifest, VERSIONS[-1], strict=True)

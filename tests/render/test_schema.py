"""Every manifest of every stack passes Kubernetes' own OpenAPI schemas, strict
(no unknown fields), for the oldest and the newest version kubernetes-validate ships."""

import pytest

from components.render.renderer import find_stack_file, render_stack_file
from tests.configs import STACKS
from tests.kube_schema import OLDEST_AND_NEWEST, VERSIONS, ValidationError, validate


def test_the_stacks_are_found():
    assert {"demo", "dev", "prod"} <= set(STACKS)


@pytest.mark.parametrize("version", OLDEST_AND_NEWEST)
@pytest.mark.parametrize("stack", STACKS)
def test_stack_validates(stack, version):
    manifests = render_stack_file(find_stack_file(stack)).manifests
    assert manifests.objects
    for manifest in manifests.objects:
        validate(manifest.body, version)


def test_the_schema_check_can_fail():
    manifest = render_stack_file(find_stack_file("demo")).manifests["DaemonSet"]["filebeat-ds"]
    manifest["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(ValidationError):
        validate(manifest, VERSIONS[-1])

"""Last in its folder (pytest runs a folder's modules in name order): stops
the real node and compares the host with the snapshot taken before `up`."""

from tests.e2e import host_state
from tests.e2e.real_node import node as real

pytestmark = real.marks()


def test_down_leaves_the_host_as_found(node):
    down = node.down()
    assert down.returncode == 0, down.stderr[-3000:]
    after = host_state.snapshot(node.state)
    assert host_state.differences(node.before, after) == {}

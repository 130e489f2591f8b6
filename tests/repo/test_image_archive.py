"""toolchain/images' archives are well formed without containerd to read them.

A node imports what it is given: a layer whose digest is not its diff_id,
a name under Elastic's registry, or a stand-in missing the sh its probe
calls would only show as a pod that never starts. So each stand-in is packed
here from its real image.json, with small scripts in place of the toolchain's
binaries (no build needed) and the host's own programs, and read back.
Packing needs the host programs the stand-ins are made of (.ci/run installs
them); it skips without them, and fails instead under CONTAINERD_REQUIRED=1.
"""

import hashlib
import os
import stat
import tarfile
from pathlib import Path

import pytest

from tests.repo.image_layers import unpack
from toolchain.imaging import archive
from toolchain.imaging.rootfs import Entry, MissingFile, Root
from toolchain.imaging.stand_ins import REGISTRY, StandIn, description, gather, stand_ins, tag

REQUIRED = os.environ.get("CONTAINERD_REQUIRED") == "1"
FAKE_TOOLS = {
    # What each stand-in's tag is read from, as the real binary prints it.
    "filebeat": "echo 'filebeat version 9.9.9-TEST (amd64), libbeat 9.9.9-TEST "
                "[0123456789ab built 2025-10-31 18:10:01 +0000 UTC]'",
    "redis_exporter": "echo 'msg=\"Redis Metrics Exporter v9.9.9  build date: x\"' >&2",
    "pause": "echo 'pause.c v9.9.9-test'",
}
REAL_REGISTRIES = ("docker.elastic.co", "docker.io", "index.docker.io", "registry.k8s.io",
                   "registry-1.docker.io", "quay.io", "ghcr.io")
PROBE_PROGRAMS = {
    # The filebeat pod's probes (curl, bash) and its start-up step's POSIX tools.
    "filebeat": ["filebeat", "sh", "bash", "curl", "cat", "od", "awk", "sed", "wc", "tr"],
    # redis' probes (`sh -c 'redis-cli ping | grep ...'`) and its start-up step.
    "redis": ["redis-server", "redis-cli", "sh", "grep", "cat", "od", "awk", "sed", "wc", "tr"],
    "redis-exporter": [],
    "pause": [],
}


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tools")
    for name, says in FAKE_TOOLS.items():
        (folder / name).write_text(f"#!/bin/sh\n{says}\n")
        (folder / name).chmod(0o755)
    return folder


def pack(stand_in: StandIn, tools: Path, dest: Path) -> Path:
    try:
        root = gather(stand_in, tools)
    except MissingFile as missing:
        if REQUIRED:
            pytest.fail(f"CONTAINERD_REQUIRED=1 but {missing}", pytrace=False)
        pytest.skip(f"{missing}; .ci/run installs the stand-ins' host programs")
    name = f"{REGISTRY}/{stand_in.name}:{tag(stand_in, root)}"
    archive.pack(root, stand_in.spec["config"], name, description(stand_in.name), dest)
    return dest


def test_every_stand_in_is_covered():
    assert {s.name for s in stand_ins()} == set(PROBE_PROGRAMS)


def small_root(folder: Path) -> Root:
    (folder / "program").write_bytes(b"#!/bin/sh\necho hello\n")
    (folder / "program").chmod(0o750)
    root = Root()
    root.add_file("/usr/local/bin/program", folder / "program")
    root.put("/bin", Entry("symlink", 0o777, target="usr/bin"))
    root.put("/bin/sh", Entry("symlink", 0o777, target="/usr/local/bin/program"))
    root.put("/etc/passwd", Entry("file", 0o644, data=b"root:x:0:0::/:/bin/sh\n"))
    root.put("/data", Entry("dir", 0o700))
    root.put("/tmp", Entry("dir", 0o1777))
    root.chown("/data", 999, 1000)
    return root


def test_the_same_files_pack_to_the_same_bytes(tmp_path):
    config = {"Entrypoint": ["/bin/sh"], "Cmd": [], "Env": ["PATH=/usr/bin"],
              "WorkingDir": "/data", "User": "999"}
    first, second = tmp_path / "first.tar", tmp_path / "second.tar"
    digests = [archive.pack(small_root(tmp_path), config, "localhost/x/y:1", "test", dest)
               for dest in (first, second)]
    assert digests[0] == digests[1]
    assert first.read_bytes() == second.read_bytes()
    image = unpack(first)
    assert image.name == "localhost/x/y:1"
    assert image.config["config"]["User"] == "999"
    assert image.config["architecture"] == archive.architecture()
    layer = image.layer
    # /bin/sh was put through the /bin link: the file lies under usr/bin.
    assert layer["usr/bin/sh"].issym() and "bin/sh" not in layer
    assert [n for n in layer] == sorted(layer)
    assert {(m.mtime, m.uname, m.gname) for m in layer.values()} == {(0, "", "")}
    assert (layer["data"].uid, layer["data"].gid, layer["data"].mode) == (999, 1000, 0o700)
    assert layer["tmp"].mode == 0o1777
    assert layer["usr/local/bin/program"].mode == 0o750
    assert all((m.uid, m.gid) == (0, 0) for n, m in layer.items() if n != "data")


def test_the_layer_digest_is_its_diff_id(tmp_path):
    dest = tmp_path / "image.tar"
    archive.pack(small_root(tmp_path), {"Env": []}, "localhost/x/y:1", "test", dest)
    (diff_id,) = unpack(dest).config["rootfs"]["diff_ids"]
    with tarfile.open(dest) as outer:
        layer = outer.extractfile(archive.blob_path(diff_id))
        assert layer is not None
        assert "sha256:" + hashlib.file_digest(layer, "sha256").hexdigest() == diff_id


@pytest.mark.parametrize("name", sorted(PROBE_PROGRAMS))
def test_each_stand_in_is_packed_as_its_image_json_says(name, tools, tmp_path):
    (stand_in,) = stand_ins([name])
    image = unpack(pack(stand_in, tools, tmp_path / f"{name}.tar"))
    spec, extra = stand_in.spec, stand_in.extra

    # A local name, never one a registry serves the real image under.
    repository, _, version = image.name.rpartition(":")
    assert repository == f"localhost/redis-filebeat/{name}" and version
    assert not image.name.startswith(REAL_REGISTRIES)
    if any("tool" in source for source in spec["files"].values()):
        assert "9.9.9" in version, "the tag is read from the binary, not written down"

    assert {k: image.config["config"][k] for k in spec["config"]} == spec["config"]
    entrypoint = (spec["config"]["Entrypoint"] or spec["config"]["Cmd"])[0]
    found = image.member(entrypoint) if entrypoint.startswith("/") else image.on_path(entrypoint)
    assert found is not None and found.isfile() and found.mode & 0o111, entrypoint
    for path in spec["files"]:
        # Every file image.json names is a program: it keeps its execute bits.
        assert image.member(path).isfile() and image.member(path).mode & 0o111 == 0o111, path
    for path, mode in {**spec["dirs"], **extra.get("dirs", {})}.items():
        assert image.member(path).isdir() and image.member(path).mode == int(mode, 8), path
    for path, owner in extra.get("owners", {}).items():
        assert f"{image.member(path).uid}:{image.member(path).gid}" == owner
    for path, target in extra.get("links", {}).items():
        assert image.layer[image.root.resolve(path)].linkname == target
    for path in extra.get("text", {}):
        assert stat.S_IMODE(image.member(path).mode) == 0o644
    assert image.member(spec["config"]["WorkingDir"]).isdir()
    for program in PROBE_PROGRAMS[name]:
        assert image.on_path(program) is not None, f"{program} is not on the image's PATH"
    if ("packages" in extra or "host" in extra) and archive.architecture() == "amd64":
        # Its programs are dynamically linked: the loader must be where they look.
        assert image.member("/lib64/ld-linux-x86-64.so.2").isfile()

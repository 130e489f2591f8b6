"""Reading a packed stand-in back, as containerd would see it: shared by the
archive's unit tests and the containerd test."""

import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from toolchain.imaging import archive
from toolchain.imaging.rootfs import Entry, Root


@dataclass(frozen=True)
class Unpacked:
    name: str
    config: dict
    layer: dict[str, tarfile.TarInfo]
    root: Root
    """The layer's headers as a Root, to resolve paths through its symlinks."""

    def member(self, path: str) -> tarfile.TarInfo:
        """The header at `path`, each symlink on the way followed."""
        where = self.root.resolve(path, follow=True)
        if not where:
            root = tarfile.TarInfo("")
            root.type, root.mode = tarfile.DIRTYPE, 0o755
            return root
        return self.layer[where]

    def on_path(self, program: str) -> tarfile.TarInfo | None:
        """Where the image's PATH finds `program`, as a shell would."""
        env = dict(item.split("=", 1) for item in self.config["config"]["Env"])
        for folder in env["PATH"].split(":"):
            where = self.root.resolve(f"{folder}/{program}", follow=True)
            if where in self.layer and self.layer[where].isfile():
                return self.layer[where]
        return None


def unpack(path: Path) -> Unpacked:
    """The archive read back, every blob checked against its digest."""
    small, members = archive.read(path)
    with tarfile.open(path) as outer:
        for member in outer.getmembers():
            if member.name.startswith("blobs/sha256/") and member.isfile():
                data = outer.extractfile(member)
                assert data is not None
                digest = hashlib.file_digest(data, "sha256").hexdigest()
                assert member.name == f"blobs/sha256/{digest}", "a blob is not named by its digest"
    index = json.loads(small["index.json"])
    (descriptor,) = index["manifests"]
    manifest = json.loads(small[archive.blob_path(descriptor["digest"])])
    config = json.loads(small[archive.blob_path(manifest["config"]["digest"])])
    assert config["rootfs"]["diff_ids"] == [m["digest"] for m in manifest["layers"]]
    root = Root()
    for member in members:
        kind = "dir" if member.isdir() else "symlink" if member.issym() else "file"
        root.entries[member.name.rstrip("/")] = Entry(kind, member.mode, target=member.linkname)
    return Unpacked(descriptor["annotations"]["io.containerd.image.name"], config,
                    {m.name.rstrip("/"): m for m in members}, root)

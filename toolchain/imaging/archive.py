"""A root filesystem packed as an OCI image-layout archive, byte for byte the
same from the same files.

One uncompressed layer: its digest is its diff_id, and containerd unpacks it
without a decompressor. Every header is fixed (sorted paths, mtime 0, no user
or group names, owners only where the spec gives them), so the same inputs
give the same digests and a second build can be recognised as the first.
The index carries both names containerd's importer reads:
`io.containerd.image.name` (which `ctr images import` uses as is) and
`org.opencontainers.image.ref.name`.
"""

import hashlib
import io
import json
import platform
import tarfile
from pathlib import Path
from typing import BinaryIO

from .rootfs import Entry, Root

EPOCH = "1970-01-01T00:00:00Z"
OCI = "application/vnd.oci.image"
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64"}


def architecture() -> str:
    """The host's, in OCI's words: every file in a stand-in comes from here."""
    return ARCHITECTURES.get(platform.machine(), platform.machine())


def canonical(document: object) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Hashing:
    """A write-only stream that counts and hashes what passes to `out`."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.sha, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.out.write(data)

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha.hexdigest()


def header(path: str, entry: Entry) -> tarfile.TarInfo:
    info = tarfile.TarInfo(path)
    info.mode, info.uid, info.gid = entry.mode, entry.uid, entry.gid
    info.uname = info.gname = ""
    info.mtime = 0
    if entry.kind == "dir":
        info.type = tarfile.DIRTYPE
    elif entry.kind == "symlink":
        info.type, info.linkname = tarfile.SYMTYPE, entry.target
    elif entry.data is not None:
        info.size = len(entry.data)
    elif entry.source is not None:
        info.size = entry.source.stat().st_size
    return info


def write_layer(root: Root, out: BinaryIO) -> tuple[str, int]:
    """The layer tar, written to `out`; returns its sha256 digest and size."""
    stream = Hashing(out)
    with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(root.entries):
            entry = root.entries[path]
            info = header(path, entry)
            if entry.kind != "file":
                tar.addfile(info)
            elif entry.data is not None:
                tar.addfile(info, io.BytesIO(entry.data))
            else:
                with open(entry.source, "rb") as source:
                    tar.addfile(info, source)
    return stream.digest, stream.size


def image_config(config: dict[str, object], diff_id: str, description: str) -> bytes:
    return canonical({
        "architecture": architecture(),
        "os": "linux",
        "created": EPOCH,
        "config": {**config, "Labels": {"org.opencontainers.image.description": description}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": EPOCH, "created_by": "toolchain/images",
                     "comment": description}],
    })


def pack(root: Root, config: dict[str, object], name: str, description: str,
         dest: Path) -> str:
    """Writes the archive to `dest` (through a temporary file beside it, so
    a cached archive is always whole); returns the manifest's digest."""
    layer_file = dest.with_name(dest.name + ".layer")
    with open(layer_file, "wb") as out:
        layer_digest, layer_size = write_layer(root, out)
    config_blob = image_config(config, layer_digest, description)
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": f"{OCI}.manifest.v1+json",
        "config": {"mediaType": f"{OCI}.config.v1+json", "digest": digest_of(config_blob),
                   "size": len(config_blob)},
        "layers": [{"mediaType": f"{OCI}.layer.v1.tar", "digest": layer_digest,
                    "size": layer_size}],
    })
    index = canonical({
        "schemaVersion": 2,
        "mediaType": f"{OCI}.index.v1+json",
        "manifests": [{
            "mediaType": f"{OCI}.manifest.v1+json", "digest": digest_of(manifest),
            "size": len(manifest),
            "platform": {"architecture": architecture(), "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": name},
        }],
    })
    blobs: list[tuple[str, bytes | Path]] = [
        ("oci-layout", canonical({"imageLayoutVersion": "1.0.0"})),
        ("index.json", index),
        (blob_path(digest_of(config_blob)), config_blob),
        (blob_path(digest_of(manifest)), manifest),
        (blob_path(layer_digest), layer_file),
    ]
    partial = dest.with_name(dest.name + ".partial")
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for folder in ("blobs", "blobs/sha256"):
                tar.addfile(header(folder, Entry("dir")))
            for path, content in sorted(blobs, key=lambda blob: blob[0]):
                if isinstance(content, bytes):
                    tar.addfile(header(path, Entry("file", 0o644, data=content)),
                                io.BytesIO(content))
                else:
                    with open(content, "rb") as source:
                        tar.addfile(header(path, Entry("file", 0o644, source=content)), source)
        partial.replace(dest)
    finally:
        layer_file.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return digest_of(manifest)


def blob_path(digest: str) -> str:
    return "blobs/sha256/" + digest.removeprefix("sha256:")


def read(archive: Path) -> tuple[dict[str, bytes], list[tarfile.TarInfo]]:
    """An archive's small files by path, and its layer's headers: what a check
    of the packing needs, without holding the layer in memory."""
    with tarfile.open(archive) as outer:
        index = json.loads(outer.extractfile("index.json").read())
        manifest_path = blob_path(index["manifests"][0]["digest"])
        manifest = json.loads(outer.extractfile(manifest_path).read())
        layer_path = blob_path(manifest["layers"][0]["digest"])
        small = {m.name: outer.extractfile(m).read()
                 for m in outer.getmembers() if m.isfile() and m.name != layer_path}
        with tarfile.open(fileobj=outer.extractfile(layer_path)) as layer:
            return small, layer.getmembers()

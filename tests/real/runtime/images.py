"""The stand-in images a container runs from (toolchain/stand-ins/).

A stand-in is the host's own root, read-only, with the files and config of
the real image laid over it where our pods rely on them: the host provides
sh, curl and the libraries, the spec adds filebeat where Elastic's image has
it. toolchain/README.md lists how each differs from the real image.
"""

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.configs import ROOT

STAND_INS = ROOT / "toolchain" / "stand-ins"


@dataclass(frozen=True)
class Image:
    name: str
    entrypoint: list[str]
    cmd: list[str]
    env: dict[str, str]
    working_dir: str
    user: int
    files: dict[str, Path]
    """Image path -> the host file that is there."""
    dirs: dict[str, int]
    """Image path -> mode."""


class MissingTool(Exception):
    """A file the image needs is not on this machine."""


def load(name: str) -> Image:
    folder = STAND_INS / name
    spec = json.loads((folder / "image.json").read_text())
    files: dict[str, Path] = {}
    for path, source in spec["files"].items():
        if "tool" in source:
            found = shutil.which(source["tool"])
            if not found:
                raise MissingTool(f"{source['tool']} is not on PATH (toolchain/build "
                                  f"{source.get('build', source['tool'])} builds it)")
            files[path] = Path(found).resolve()
        elif "here" in source:
            files[path] = folder / source["here"]
        else:
            files[path] = Path(source["host"])
            if not files[path].exists():
                raise MissingTool(f"{source['host']} is missing (.ci/run installs it)")
    config = spec["config"]
    return Image(
        name=name,
        entrypoint=config["Entrypoint"],
        cmd=config["Cmd"],
        env=dict(item.split("=", 1) for item in config["Env"]),
        working_dir=config["WorkingDir"],
        user=int(config["User"]),
        files=files,
        dirs={path: int(mode, 8) for path, mode in spec["dirs"].items()},
    )


def stand_in(images: dict[str, Image], reference: str) -> Image:
    """The stand-in for an image reference, by its repository's last name:
    docker.elastic.co/beats/filebeat:9.3.8 -> filebeat. Init containers run
    in their workload's own image, so they get its stand-in too."""
    name = reference.split("@")[0].rsplit("/", 1)[-1].split(":")[0].replace("_", "-")
    if name not in images:
        raise MissingTool(f"no stand-in image for {reference} (toolchain/stand-ins/)")
    return images[name]


def runtime_missing(names: tuple[str, ...]) -> str | None:
    """Why the containers of these stand-ins cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root, for mount namespaces and the pods' users"
    for tool in ("unshare", "nsenter", "setpriv", "redis-server", "redis-cli", "openssl"):
        if not shutil.which(tool):
            return f"{tool} is not on PATH"
    for name in names:
        try:
            load(name)
        except MissingTool as missing:
            return str(missing)
    return None

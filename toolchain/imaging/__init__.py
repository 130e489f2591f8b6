"""Stand-in container images packed from this machine's files (toolchain/images).

No image can be pulled here and no Docker engine runs, so each stand-in is a
root filesystem gathered from the host (programs, the libraries they load,
the loader) plus the toolchain's binaries, packed as an OCI image-layout
archive that `ctr images import` takes. Standard library only, so the script
runs with the system's python3 before any virtualenv exists.
"""

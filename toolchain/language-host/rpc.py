"""The gRPC runtime and Pulumi's protocol stubs, which every module of the host
needs: imported here once, so a Python without them fails with one message
that says which Python to use, not with a traceback."""

from __future__ import annotations

import sys

try:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2
except ImportError as error:  # pragma: no cover - depends on the interpreter
    print(
        f"pulumi-language-python: {error}. This host needs a Python with grpcio and the "
        "pulumi SDK: create the project's .venv (pip install -r requirements.txt) or set "
        "PULUMI_LANGUAGE_PYTHON_INTERPRETER.",
        file=sys.stderr,
    )
    sys.exit(1)

__all__ = ["empty_pb2", "grpc", "language_pb2", "language_pb2_grpc", "plugin_pb2"]

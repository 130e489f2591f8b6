"""The calls about what a program or plugin needs: plugins and packages ahead of
the run (none), its installed packages, its Python, and installing them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import plugins  # beside this file, which Python puts first on sys.path
from interpreters import interpreter, runtime_options
from rpc import grpc, language_pb2


class DependencyCalls:
    """Part of LanguageHost (langhost.py), which sets `root_directory`."""

    root_directory: str

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        # Empty: the engine loads a provider when the program first registers
        # a resource with it. See README.md for how that finds the plugin.
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPackagesResponse()

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        root = request.info.root_directory or request.pwd or os.getcwd()
        python = interpreter(root, runtime_options(request.info))
        try:
            out = subprocess.run(
                [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                capture_output=True, check=True, timeout=60,
            ).stdout
            packages = json.loads(out)
        except (OSError, subprocess.SubprocessError, ValueError) as error:
            context.abort(grpc.StatusCode.INTERNAL, f"pip list with {python}: {error}")
        return language_pb2.GetProgramDependenciesResponse(dependencies=[
            language_pb2.DependencyInfo(name=p["name"], version=p["version"]) for p in packages
        ])

    def About(self, request: Any, context: Any) -> Any:
        root = self.root_directory or os.getcwd()
        python = interpreter(root, {})
        try:
            version = subprocess.run(
                [python, "-c", "import platform; print(platform.python_version())"],
                capture_output=True, text=True, check=True, timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            version = ""
        return language_pb2.AboutResponse(executable=python, version=version)

    def InstallDependencies(self, request: Any, context: Any) -> Any:
        """A program: `pip install -r requirements.txt` into its interpreter,
        when both exist; otherwise nothing, and never creates a virtualenv.
        A plugin: its own virtualenv, created if missing (plugins.py)."""
        root = request.info.root_directory or request.directory or os.getcwd()
        if request.is_plugin:
            folder = request.info.program_directory or request.directory or root
            for stdout, stderr, code in plugins.install(root, folder,
                                                        runtime_options(request.info)):
                yield language_pb2.InstallDependenciesResponse(stdout=stdout, stderr=stderr)
                if code != 0:
                    context.abort(grpc.StatusCode.INTERNAL,
                                  f"installing the plugin's dependencies exited with {code}")
            return
        python = interpreter(root, runtime_options(request.info))
        requirements = os.path.join(request.directory or root, "requirements.txt")
        if python == sys.executable and not os.environ.get("PULUMI_LANGUAGE_PYTHON_INTERPRETER"):
            yield language_pb2.InstallDependenciesResponse(
                stdout=b"pulumi-language-python: no virtualenv found; not installing anything\n")
            return
        if not os.path.isfile(requirements):
            return
        proc = subprocess.run(
            [python, "-m", "pip", "install", "-q", "-r", requirements],
            capture_output=True, check=False,
        )
        yield language_pb2.InstallDependenciesResponse(stdout=proc.stdout, stderr=proc.stderr)
        if proc.returncode != 0:
            context.abort(grpc.StatusCode.INTERNAL, f"pip install exited with {proc.returncode}")

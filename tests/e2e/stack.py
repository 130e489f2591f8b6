"""One throwaway stack of this project, driven by Pulumi's Automation API.

The stack is dev moved to the current kube context and its own namespace.
Its config lives where Pulumi looks for it, `stacks/Pulumi.<stack>.yaml`
(Pulumi.yaml's stackConfigDir): a copy of dev's file written before the
stack is created, and removed when it is torn down. Setting the keys one by
one through the API instead would not avoid that file (`pulumi config set`
writes it), would turn dev's nested objects into strings unless every leaf
were set with `--path`, and would leave no file for the program's error
messages or for the offline render that the suite takes its names from.

Its state lives in a `file://` backend of its own with a random passphrase,
so neither the operator's stacks nor their backend are ever touched.
"""

import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from pulumi import automation as auto

from tests.e2e.cluster import IMAGE_CONFIG_PATH, PASSWORD_CONFIG_KEY, ROOT, e2e_stack_text
from tests.e2e.rendered import Rendered

Output = Callable[[str], None]


class _Workspace(auto.LocalWorkspace):
    """A LocalWorkspace whose new stacks are not selected.

    `pulumi stack init` selects the stack it creates, and the selection is the
    operator's "current stack" for this project folder (kept under
    ~/.pulumi/workspaces, whatever the backend): once the e2e stack was removed,
    they had none. Every other call the Automation API makes names its stack
    with --stack, as the support tests check, so nothing needs the selection.
    """

    def create_stack(self, stack_name: str) -> None:
        # The SDK's own create_stack, with the flag it passes only for remote
        # workspaces; _run_pulumi_cmd_sync is how it runs the CLI.
        args = ["stack", "init", stack_name, "--no-select"]
        if self.secrets_provider:
            args.extend(["--secrets-provider", self.secrets_provider])
        self._run_pulumi_cmd_sync(args)


def project_copy(source: Path, into: Path) -> Path:
    """A Pulumi project of ours (with `stackConfigDir: stacks`) copied outside
    the repository, ready for a ThrowawayStack with `root=` it: an empty
    stacks/, and this repository's .venv where the language host looks for
    the program's Python."""
    shutil.copytree(source, into, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    (into / "stacks").mkdir()
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


class TearDownError(RuntimeError):
    """`pulumi destroy` failed; the message says how to clean up by hand."""


class ThrowawayStack:
    def __init__(self, state_dir: Path, context: str, suffix: str | None = None,
                 root: Path = ROOT, kubeconfig: str | None = None):
        self.name = f"e2e-{suffix or secrets.token_hex(3)}"
        self.namespace = self.name
        self.context = context
        self.root = root
        self.stack_file = root / "stacks" / f"Pulumi.{self.name}.yaml"
        self.env = {
            "PULUMI_BACKEND_URL": state_dir.resolve().as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(32),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        if kubeconfig:  # a cluster other than the suite's (tests/e2e/real_node)
            self.env["KUBECONFIG"] = kubeconfig
        self.stack: auto.Stack | None = None
        self.password: str | None = None
        self.rendered: Rendered | None = None
        self._wrote_stack_file = False

    def create(self, text: str | None = None, render: bool = True) -> "ThrowawayStack":
        """Write the stack file, create the stack, set its redis password.

        `create_stack`, not `create_or_select_stack`: the name is new, and if
        it ever were not, the suite must stop rather than take over (and
        finally destroy) a stack that is not its own.
        """
        text = text or e2e_stack_text(self.namespace, self.context)
        with self.stack_file.open("x", encoding="utf-8") as file:  # never someone else's
            self._wrote_stack_file = True
            file.write(text)
        if render:  # not a stack file made to fail
            self.rendered = Rendered(self.stack_file)
        self.stack = auto.Stack.create(
            self.name, _Workspace(work_dir=str(self.root), env_vars=self.env))
        self.password = secrets.token_urlsafe(24)
        self.stack.set_config(PASSWORD_CONFIG_KEY,
                              auto.ConfigValue(value=self.password, secret=True))
        return self

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """The pulumi CLI itself on this stack, for what the Automation API does
        not hand over as the CLI prints it (`stack output --json`, exit codes)."""
        return subprocess.run(["pulumi", *args, "--stack", self.name, "--non-interactive"],
                              cwd=self.root, env={**os.environ, **self.env},
                              capture_output=True, text=True, timeout=timeout)

    def use_filebeat_image(self, image: str) -> None:
        """As an operator would: `pulumi config set --path redis-filebeat:filebeat.image`."""
        assert self.stack is not None
        self.stack.set_config(IMAGE_CONFIG_PATH, auto.ConfigValue(value=image), path=True)

    def tear_down(self, on_output: Output = print) -> None:
        """Destroy the stack and remove it; delete its file whatever happens.

        A failed destroy is raised with the commands that finish the job by
        hand, and the stack is then kept in the temporary backend.
        """
        try:
            if self.stack is None:
                return
            try:
                self.stack.destroy(on_output=on_output)
            except Exception as error:
                raise TearDownError(self.cleanup_hint(error)) from error
            self.stack.workspace.remove_stack(self.name)
            self.stack = None  # torn down: a second call does nothing
        finally:
            if self._wrote_stack_file:
                self.stack_file.unlink(missing_ok=True)

    def cleanup_hint(self, error: BaseException) -> str:
        # A CommandError's text is the CLI's exit code, stdout and stderr: the
        # last line of stderr says what went wrong.
        text = str(error)
        _, found, stderr = text.rpartition("\n stderr: ")
        last = ((stderr if found else text).strip().splitlines() or [type(error).__name__])[-1]
        lines = [f"pulumi destroy of the e2e stack {self.name} failed: {last}"]
        if self.rendered is not None:
            lines.append("Remove what it deployed with:")
            lines += [f"  {c}" for c in self.rendered.cleanup_commands(self.context)]
        return "\n".join(lines)

"""The refusal every test of components/untrusted_yaml/ reads: `refused` loads a text
that must fail and returns its lines, after checking what each line must be (it names
the file, is printable and short), whatever the problem. Shared here so the modules of
tests/untrusted_yaml/ hold their refusals to one standard."""

import pytest

from components.untrusted_yaml import Limits, UntrustedYamlError, load_documents

ORIGIN = "stacks/Pulumi.pr.yaml"


def refused(text: str | bytes, **limits: int) -> list[str]:
    with pytest.raises(UntrustedYamlError) as caught:
        load_documents(text, ORIGIN, limits=Limits(**limits))
    lines = caught.value.lines()
    assert lines and str(caught.value) == "\n".join(lines)
    for line in lines:
        assert line.startswith(f"{ORIGIN}:") and line.isprintable() and len(line) < 400, line
    return lines

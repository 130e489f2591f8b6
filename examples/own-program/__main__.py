"""The Pulumi program: `pulumi up` runs this file; the tests import log_pipeline."""

from log_pipeline import program

program()

"""The stack file's `filebeat` section: the daemon, its inputs, processors and output.

Imports nothing here: `FilebeatConfig` is public from `components.config`,
and a caller that needs one leaf should not load the model.
"""

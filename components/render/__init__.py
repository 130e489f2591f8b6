"""Rendering under mocks: the program run offline, its objects as plain manifests, the folder
writer and checker, and the test kit.

Importing this package imports nothing: `manifests` and `folder` are plain
data, which `diff` reads without Pulumi; the rest runs the program.
"""

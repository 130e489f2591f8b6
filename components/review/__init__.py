"""`diff`: two sets of rendered manifests compared, and what the change will do to pods.

Plain dicts only: nothing here imports Pulumi or pydantic, so a pipeline
that compares two rendered folders loads neither.
"""

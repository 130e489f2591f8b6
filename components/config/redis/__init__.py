"""The stack file's `redis` section: the buffer, its ACL, directives, storage and exporter.

Imports nothing here: `RedisConfig` is public from `components.config`, and
a caller that needs one leaf (the generated names) should not load the model.
"""

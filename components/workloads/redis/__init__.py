"""The redis log buffer: its Deployment, Service, generated redis.conf and policy."""

from .component import Redis

__all__ = ["Redis"]

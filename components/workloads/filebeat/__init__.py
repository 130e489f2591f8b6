"""Filebeat on every node, with its generated filebeat.yml."""

from .component import Filebeat

__all__ = ["Filebeat"]

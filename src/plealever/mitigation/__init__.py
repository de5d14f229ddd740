"""Mitigation: evidence inventory -> per-factor assessment -> the levers it moves -> a disclosure plan."""

from plealever.mitigation.assess import Assessment, assess

__all__ = ["Assessment", "assess"]

"""Coverage statistics page: built articles -> figures and SVG charts; never fetches."""

from __future__ import annotations

from .page import get_generators

__all__ = ["get_generators"]

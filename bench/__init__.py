"""Benchmarks of the autojoin daemon against the Mavera simulator, run as real processes."""

from __future__ import annotations

"""Real-time scenarios: the daemon and the simulator as processes, through the bench harness."""

from __future__ import annotations

"""The daemon's process stays lean: the ICS parser and Alembic load only where they are used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("icalendar", "recurring_ical_events", "alembic")


def test_the_daemon_modules_do_not_load_the_parser_or_alembic() -> None:
    probe = (
        "import sys, service.__main__, service.app, service.cli;"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""

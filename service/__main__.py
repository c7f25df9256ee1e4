"""`python -m service`: the same command line as `autojoin`."""

from __future__ import annotations

from service.cli import main

main()

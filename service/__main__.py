"""`python -m service`: the same command line as `autojoin`."""

from __future__ import annotations

from service.cli import main

# Guarded: parse workers are spawned processes, and each one imports the main module again.
if __name__ == "__main__":
    main()

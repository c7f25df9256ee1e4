"""The SQLite single-daemon lock holds the database file itself, whatever path reaches it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from service.adapters.sql.file_lock import single_daemon
from service.core.errors import StoreLocked, StoreUnavailable


def _symlink(target: Path, link: Path) -> None:
    link.symlink_to(target)


def _hardlink(target: Path, link: Path) -> None:
    os.link(target, link)


@pytest.mark.parametrize("make_path", [_symlink, _hardlink])
def test_a_second_path_to_the_same_file_is_refused(
    tmp_path: Path, make_path: Callable[[Path, Path], None]
) -> None:
    database = tmp_path / "autojoin.db"
    database.write_bytes(b"")
    other = tmp_path / "elsewhere" / "same.db"
    other.parent.mkdir()
    make_path(database, other)
    with single_daemon(str(database)), pytest.raises(StoreLocked) as refused:  # noqa: SIM117
        with single_daemon(str(other)):
            pass
    assert "another autojoin daemon is already running" in str(refused.value)


def test_a_relative_path_to_the_same_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "autojoin.db"
    database.write_bytes(b"")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    with single_daemon(str(database)), pytest.raises(StoreLocked):  # noqa: SIM117
        with single_daemon("../autojoin.db"):
            pass


def test_the_lock_is_released_with_its_holder(tmp_path: Path) -> None:
    database = tmp_path / "autojoin.db"
    database.write_bytes(b"")
    with single_daemon(str(database)):
        pass
    with single_daemon(str(database)):
        pass
    assert not list(tmp_path.glob("*.lock")), "no lock file is left next to the database"


def test_a_missing_database_file_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(StoreUnavailable, match="autojoin migrate"), single_daemon(str(missing)):
        pass
    assert not missing.exists(), "the lock never creates an empty database"

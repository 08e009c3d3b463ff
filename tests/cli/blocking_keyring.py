"""A keyring backend that waits forever on set_password, as a locked OS keychain waits on its unlock prompt.

Selected by PYTHON_KEYRING_BACKEND=blocking_keyring.Blocking in test_known_conditions.py.
"""

from __future__ import annotations

import time

from keyring.backend import KeyringBackend


class Blocking(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(3600)

    def delete_password(self, service: str, username: str) -> None:
        pass

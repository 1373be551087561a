"""Settings read as a process reads them at start-up: from its environment, through
`get_settings`, which turns a bad value into the operator's StartupError sentence."""

from __future__ import annotations

import pytest

from core.settings import Settings, get_settings


def settings_from(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """The settings with `env` set (undone after the test), read afresh."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        return get_settings()
    finally:
        get_settings.cache_clear()

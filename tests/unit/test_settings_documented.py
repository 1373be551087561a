"""Every setting is documented where an operator looks for it."""

from __future__ import annotations

import pytest

from core.settings import PROJECT_ROOT, Settings

CONFIGURATION = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
ENV_EXAMPLE = (PROJECT_ROOT / ".env.example").read_text()


@pytest.mark.parametrize("name", [field.upper() for field in Settings.model_fields])
def test_each_setting_is_in_the_configuration_table_and_env_example(name: str) -> None:
    assert f"`{name}`" in CONFIGURATION, f"{name} is missing from docs/configuration.md's table"
    assert f"# {name}=" in ENV_EXAMPLE, f"{name} is missing from .env.example"

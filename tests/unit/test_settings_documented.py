"""Every setting is documented where an operator looks for it."""

from __future__ import annotations

import pytest

from core.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text()
ENV_EXAMPLE = (PROJECT_ROOT / ".env.example").read_text()


@pytest.mark.parametrize("name", [field.upper() for field in Settings.model_fields])
def test_each_setting_is_in_the_readme_table_and_env_example(name: str) -> None:
    assert f"`{name}`" in README, f"{name} is missing from the README's configuration table"
    assert f"# {name}=" in ENV_EXAMPLE, f"{name} is missing from .env.example"

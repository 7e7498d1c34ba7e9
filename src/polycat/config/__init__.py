"""Run configuration: the YAML schema and its loading (no FEniCSx imports)."""

from polycat.config.loading import (
    ConfigError,
    apply_overrides,
    dump_config,
    load_config,
    read_yaml,
    validate_config,
)
from polycat.config.schema import RunConfig

__all__ = [
    "ConfigError",
    "RunConfig",
    "apply_overrides",
    "dump_config",
    "load_config",
    "read_yaml",
    "validate_config",
]

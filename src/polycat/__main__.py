"""`python -m polycat` is the same as the `polycat` command."""

from polycat.cli import entry_point

entry_point()

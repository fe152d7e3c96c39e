"""The command line. Importing this package first installs the Chinese help text (``zh``),
which must happen before Typer is imported anywhere."""

from monitor.app.cli import zh as _zh  # noqa: F401

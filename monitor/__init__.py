from monitor import zh as _zh  # noqa: F401  (Chinese help text; must precede Typer)

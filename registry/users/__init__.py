"""Users of the web workbench: who they are, their role, their unit (and so their
jurisdiction), their sessions and their login attempts."""

"""The web workbench (``govmedia web``): a server-rendered application over the registry for the
units that file, the levels that approve, the reviewers and the centre's staff."""

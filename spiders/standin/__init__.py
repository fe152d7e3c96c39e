"""The stand-in platform server (tests, ``make demo``, ``bench/``): a local HTTP server that
answers in the exact shapes of the real platform interfaces. Not part of the crawler; see
``spiders.standin.server`` for its use and fault modes."""

from spiders.standin.search import Found, search_env
from spiders.standin.server import (
    FAULTS,
    StandinAccount,
    StandinPost,
    StandinServer,
    file_accounts,
    make_posts,
)

__all__ = [
    "FAULTS",
    "Found",
    "StandinAccount",
    "StandinPost",
    "StandinServer",
    "file_accounts",
    "make_posts",
    "search_env",
]

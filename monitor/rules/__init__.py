"""The rules of the monitor, one module per family; importing this package registers them all.

``RULES`` maps each stable code to its ``Rule`` (Chinese name, default level, whether it is a
judgement that starts as a candidate, and its docstring, which is the user documentation).
"""

from monitor.rules import conduct, consolidation, content, update
from monitor.rules.base import RULES, AccountFacts, Context, PostFacts, Rule

__all__ = [
    "RULES",
    "AccountFacts",
    "Context",
    "PostFacts",
    "Rule",
    "conduct",
    "consolidation",
    "content",
    "update",
]

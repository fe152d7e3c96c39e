"""Discovery (未备案账号排查) and the registry audit (失管脱管): the search queries made from
the registry, every search with its outcome, the accounts the searches found (candidates, keyed
by the platform's stable id, with the search answer as evidence), and the annual confirmation
of each filing's contacts (年度核查)."""

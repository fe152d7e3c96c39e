"""Discovery (未备案账号排查) and the registry audit (失管脱管): the queries made from the
registry (``plan``), the place names they rest on (``places``), the matcher that decides whose
account a search found (``matcher``) and the audit of filed accounts nobody runs (``audit``).
The searches themselves are run by ``spiders.search`` in their own process."""

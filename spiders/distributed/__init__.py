"""One crawl spread over many machines, on scrapy-redis and Redis (``govmedia crawl
--distributed``, ``crawl worker``, ``crawl status``).

- ``queue``: the Redis connection (scrapy-redis), key names, the queue of messages, the
  typed errors for a missing or unreachable Redis;
- ``coordinator``: enqueue a cycle, wait for its outcomes, the status;
- ``worker`` and ``spider``: a long-running worker fed from the queue (leases, heartbeat);
- ``pipeline``: store a result only while its lease is held;
- ``limits``: pace and daily budgets shared by all workers through Redis.

The database stays the truth (``registry.collection.cycles``); Redis is a disposable queue.
"""

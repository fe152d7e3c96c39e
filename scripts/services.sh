#!/usr/bin/env bash
# Make sure the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) the tests use
# are running. Starts them when they are installed but stopped; says so when they are absent.
set -u
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    done
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/govmedia-redis.log >/dev/null 2>&1 || true
    sleep 0.5
  fi
fi
pg=$(pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo 运行中 || echo 未运行)
rd=$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && echo 运行中 || echo 未运行)
echo "PostgreSQL 127.0.0.1:5432 ${pg}；Redis 127.0.0.1:6379 ${rd}"
exit 0

"""gunicorn settings of the portal's web process: the Dockerfile, docker-compose.yml and
bench/serve_rate.py all run with this file (gunicorn reads ./gunicorn.conf.py by itself).

Threaded workers (``gthread``): a thread waiting on PostgreSQL leaves the others to serve, and
a kept-alive connection costs no thread while it is idle. One worker process per core
(``WEB_CONCURRENCY``, default: the number of cores), ``GUNICORN_THREADS`` threads each.

A gthread worker accepts connections until it holds ``worker_connections`` of them. Left at
gunicorn's default (1000), the worker that wakes first takes every kept-alive connection of a
burst and the others idle: the rate then jumps between "one worker" and "all workers" from
run to run. Capped at the worker's threads, the connections spread over the workers. A
reverse proxy in front buffers slow clients, so a connection holds its place only while a
request is on it or for ``keepalive`` seconds after.

The threads of a worker share one interpreter lock, which Python hands over every 5 ms by
default: a thread whose answer came back from PostgreSQL waits up to that long for a thread
that is busy serialising. Each worker hands it over every ``GIL_SWITCH_INTERVAL_MS`` (0.5 ms)
instead, which bounds that wait by what a short request needs (bench/serve_rate.py: p99 at
8 connections from 10-15 ms to 7.5-9 ms, and more requests per second).
"""

import os
import sys

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_connections = threads
keepalive = 2
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_fork(server, worker) -> None:
    sys.setswitchinterval(float(os.environ.get("GIL_SWITCH_INTERVAL_MS") or 0.5) / 1000)

"""gunicorn's settings for Reserve in production (issue 13 §5): `gunicorn -c /srv/reserve/docs/deploy/gunicorn.conf.py
reserve.wsgi:application`, as reserve-web.service runs it. A command-line option wins over this file (the two-server
test, tests/deploy/test_two_servers.py, runs it with its own --bind and --workers).

Behind nginx (docs/deploy/nginx.conf), which receives whole requests before passing them on and buffers the answers,
so a slow client never holds a worker: plain synchronous workers, one request each, as many as the machine runs well.
The app servers keep no state (README, "Production layout"): start this on a second machine with the same
environment file and add it to nginx's upstream.
"""

import multiprocessing
import os

# 127.0.0.1 when nginx runs on the same machine; the machine's private address when nginx is on another
# (and a firewall letting only nginx reach it).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The usual 2 × cores + 1 synchronous workers (5 on the 2-core server of issue 13): a request waits on the
# database about as long as it computes, so two per core keep the CPUs busy. WEB_CONCURRENCY overrides it
# (set it from the load run of benchmarks/, the workers that give the most requests per second within the p99).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"

# A request that runs longer than this is killed and its worker replaced. The heavy documents (the round's 台账
# PDF and Excel, the audit export, the large exports) run as background jobs (reserve/jobs.py, the worker), and a
# PDF render stops at PDF_RENDER_TIMEOUT (30 s), so no page needs more. A streamed 一人一档 ZIP holds its worker
# 2–3 s a file: keep DOSSIER_ZIP_MAX low enough to finish within this (about 20 files).
timeout = 60
graceful_timeout = 30  # a restart lets running requests finish for this long
keepalive = 5  # nginx keeps connections to the upstream open (keepalive 16)

# A worker is replaced after about this many requests (a spread so that they do not all restart at once): any
# memory a long run gathers is given back.
max_requests = 1000
max_requests_jitter = 100

# The app is loaded once, before the workers are forked: they start fast and share the loaded code's memory.
# (No database connection is opened at load; each worker opens its own.)
preload_app = True


def when_ready(server):
    """Before the workers are forked: what each worker's first request would do — URL patterns, the translation
    catalogue, the compiled templates — done once here (reserve.warmup), so that a worker replaced after
    max_requests answers at once."""
    from reserve import warmup

    server.log.info("warm-up: %s", warmup.warm())

# The scheme as nginx says it (X-Forwarded-Proto) is trusted from these addresses only; Django itself reads it
# with TRUSTED_PROXY=true (SECURE_PROXY_SSL_HEADER) and the client's address from X-Real-IP.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to standard output and error: journald keeps them (journalctl -u reserve-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 27's control socket (gunicornc) is not used: none in the service's directory, no other way in.
control_socket_disable = True

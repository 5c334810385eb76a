"""reserve.warmup: what a gunicorn worker's first request would load, loaded once before the workers fork (issue 13
§4) — and no database connection opened for it (the workers must not share the master's)."""

import runpy
from pathlib import Path

from django.template import engines

from reserve import warmup

BASE = Path(__file__).resolve().parents[2]


def test_the_warm_up_loads_urls_and_templates_without_the_database():
    # No django_db mark: pytest-django blocks every database connection here (ensure_connection raises), so a query
    # or a connection opened by the warm-up would fail this test.
    done = warmup.warm()
    names = warmup.project_templates()
    assert "base.html" in names and "publicity/public_notice.html" in names
    assert done["templates"] == len(names)
    assert done["urls"] > 300  # the namespaced resolvers too (candidates:, vetting:, training: …)
    # The cached loader holds them now: a later get_template compiles nothing.
    loader = engines["django"].engine.template_loaders[0]
    assert "publicity/public_notice.html" in {key.split("-")[0] for key in loader.get_template_cache}


def test_gunicorns_settings_warm_up_before_the_workers_fork():
    conf = runpy.run_path(str(BASE / "docs" / "deploy" / "gunicorn.conf.py"))
    assert conf["preload_app"] is True

    class Log:
        def __init__(self):
            self.lines = []

        def info(self, text, *args):
            self.lines.append(text % args)

    server = type("Server", (), {"log": Log()})()
    conf["when_ready"](server)
    assert server.log.lines and server.log.lines[0].startswith("warm-up: {'urls'")

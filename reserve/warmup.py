"""Work every process of the app would otherwise do on its first request, done once before gunicorn forks its
workers (docs/deploy/gunicorn.conf.py, `when_ready`, with preload_app): the URL patterns and every view module
imported, the translation catalogue loaded, the project's templates compiled into the cached loader, the cache's
client library imported. A worker
replaced after max_requests then answers its first request as fast as any other (a cold one took 0.4–0.6 s of CPU:
under the public page's load of 300 a second, gunicorn replaced about one worker every three seconds; issue 13 §4).

Nothing here opens a database connection: the workers must not share the master's."""

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the project's own templates (templates/ of the project)."""
    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*.html"))


def warm() -> dict:
    """Loads what the first request would; returns what was done (for the log and the tests)."""
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolvers, urls = [resolver], 0
    while resolvers:  # every resolver populated, the namespaced ones too (each is populated on its first use)
        current = resolvers.pop()
        urls += len(current.reverse_dict)
        resolvers += [namespaced for _prefix, namespaced in current.namespace_dict.values()]
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("审计日志")  # the catalogue of the one language, loaded
    # The cache's client library, imported by Django's Redis backend on the cache's first use (0.17 s): imported
    # here, no connection made (each worker connects on its own).
    backends = {settings.CACHES[alias]["BACKEND"] for alias in settings.CACHES}
    if "django.core.cache.backends.redis.RedisCache" in backends:
        import redis  # noqa: F401
    engine = engines["django"]
    compiled = 0
    for name in project_templates():
        try:
            engine.get_template(name)
        except TemplateSyntaxError:  # a template that only compiles in its own context is left to its request
            logger.warning("warm-up: template %s not compiled", name)
        else:
            compiled += 1
    return {"urls": urls, "templates": compiled}

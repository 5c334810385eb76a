"""The pool's pages, under /pool/: the list and a reserve's page, how people enter, terms, mentors."""

from . import urls_entry, urls_mentors, urls_pool

app_name = "training"
urlpatterns = [*urls_pool.urlpatterns, *urls_entry.urlpatterns, *urls_mentors.urlpatterns]

"""Cultivation's pages, under /pool/ beside the pool's: tasks and meetings, courses and the rotation subsidy,
talks."""

from . import urls_practice, urls_talks

app_name = "cultivation"
urlpatterns = [*urls_practice.urlpatterns, *urls_talks.urlpatterns]

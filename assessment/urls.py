"""Assessment's pages, under /pool/ beside the pool's: rounds and scores, adjustments, priority lists and 两委
vacancies."""

from . import urls_adjustments, urls_priority, urls_rounds

app_name = "assessment"
urlpatterns = [*urls_rounds.urlpatterns, *urls_adjustments.urlpatterns, *urls_priority.urlpatterns]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("自荐报名")

    def ready(self):
        from reserve.home import register_start_page

        from . import selectors  # noqa: F401  (declares the scope of this app's models)
        from .views_rounds import start_page

        register_start_page(start_page)

        from django.db.models.signals import post_delete, post_save

        from .models import Nomination
        from .quota import forget_counts_of

        post_save.connect(forget_counts_of, sender=Nomination, dispatch_uid="quota-counts-save")
        post_delete.connect(forget_counts_of, sender=Nomination, dispatch_uid="quota-counts-delete")

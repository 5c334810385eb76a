from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "vetting"
    verbose_name = _("资格联审")

    def ready(self):
        from candidates.panels import register_nomination_panel
        from reserve.home import register_start_page

        from .selectors import nomination_panel
        from .views import start_page

        register_start_page(start_page)
        register_nomination_panel("vetting/_nomination_panel.html", nomination_panel)

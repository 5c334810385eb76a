from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo town (manage.py seed_demo): built on top of every stage, through their services."""

    name = "demo"
    verbose_name = _("演示数据")

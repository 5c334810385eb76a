from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReserveConfig(AppConfig):
    name = "reserve"
    verbose_name = _("组织与账号")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the encryption-key checks)
            request_facts,
            selectors,  # noqa: F401  (declares the scope of the core's models)
            signals,  # noqa: F401  (connects the sign-in receivers of the audit log)
        )
        from .admin import audit_every_admin

        request_facts.connect()  # the cached facts of each account are forgotten when what they are built from changes
        audit_every_admin()  # every model in the admin, third-party ones too, writes its changes to the audit log

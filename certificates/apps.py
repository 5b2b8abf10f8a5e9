from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        # Changes made in the admin are kept in the audit trail; the services write their own entries, with
        # the user and the reason, and switch these signals off around their writes.
        from auditlog.registry import auditlog

        from certificates import models

        for model in (
            models.Issuer,
            models.Signatory,
            models.CertificateTemplate,
            models.EligibilityOverride,
            models.IssuanceBatch,
            models.Certificate,
            models.PrintPack,
        ):
            auditlog.register(model)

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    """django.contrib.admin with the audited site as the default ``admin.site`` (audit.admin_site).

    In its own module: an app config is imported before the models are ready, the site after.
    """

    default_site = "audit.admin_site.AuditedAdminSite"

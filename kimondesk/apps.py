from django.contrib.admin.apps import AdminConfig


class KimonDeskAdminConfig(AdminConfig):
    """The admin app with the KimonDesk console as its default site (``kimondesk.console``)."""

    default_site = "kimondesk.console.KimonDeskAdminSite"

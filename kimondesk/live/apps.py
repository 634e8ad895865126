from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "kimondesk.live"
    label = "live"
    verbose_name = "Live push"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "tickets.mail"
    label = "mail"
    verbose_name = "Mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # anymail hands every received webhook mail to its ``inbound`` signal: the one door it
        # offers. The receiver is a thin adapter that calls ``tickets.mail.inbound.mail_receive``.
        from anymail.signals import inbound

        from tickets.mail.webhooks import anymail_inbound_received

        inbound.connect(anymail_inbound_received, dispatch_uid="kimondesk-mail-inbound")

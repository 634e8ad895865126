from django.urls import include, path

from .views import mail_attachment_download
from .webhooks import inbound_urlpatterns

urlpatterns = [
    path(
        "attachments/<int:attachment_id>/",
        mail_attachment_download,
        name="mail_attachment_download",
    ),
    path("inbound/", include(inbound_urlpatterns())),
]

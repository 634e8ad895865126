from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kimondesk import favicon, health, signin

urlpatterns = [
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(
        "login/",
        signin.RateLimitedLoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The admin's own sign-in goes through the same brute-force protection.
    path(
        "admin/login/",
        signin.RateLimitedLoginView.as_view(redirect_authenticated_user=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    path("mail/", include("tickets.mail.urls")),
    path("api/v1/reports/", include("reports.api_urls")),
    path("api/", include("kimondesk.api.urls")),
    path("reports/", include("reports.urls")),
    path("", include("tickets.notifications.urls")),
    path("", include("tickets.urls")),
]

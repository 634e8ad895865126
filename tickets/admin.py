from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from . import models


@admin.register(models.Agent)
class AgentAdmin(UserAdmin):
    list_display = ("username", "name", "team", "role", "is_available", "is_active")
    list_filter = ("role", "team", "is_available", "is_active", "is_superuser")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("KimonDesk", {"fields": ("name", "team", "role", "is_available")}),
    )


admin.site.register(models.Team)
admin.site.register(models.Queue)
admin.site.register(models.Customer)
admin.site.register(models.Ticket)
admin.site.register(models.Tag)

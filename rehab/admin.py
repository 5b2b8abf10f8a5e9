from django.contrib import admin

from rehab.models import Facility, Organisation, PublicHoliday, RoleAssignment, Room, StaffMember


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "country", "city"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "city"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "city", "prison_service", "capacity"]
    list_filter = ["kind", "prison_service__country", "prison_service"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["prison_service"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "facility", "capacity"]
    list_filter = ["facility"]
    search_fields = ["name", "facility__name"]
    list_select_related = ["facility"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "job_title", "home_city", "user"]
    list_filter = ["organisation__kind", "organisation", "home_city"]
    search_fields = ["first_name", "last_name", "email", "user__username"]
    list_select_related = ["organisation", "user"]
    raw_id_fields = ["user"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "facility", "organisation", "country"]
    list_filter = ["role", "country", "facility", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "facility", "organisation"]
    raw_id_fields = ["user"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "country"]
    list_filter = ["country"]
    search_fields = ["name"]
    date_hierarchy = "date"

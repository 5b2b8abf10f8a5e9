from django.contrib import admin

from inmates.models import CustodyEvent, Inmate


class CustodyEventInline(admin.TabularInline):
    model = CustodyEvent
    extra = 0
    fk_name = "inmate"
    raw_id_fields = ["recorded_by"]


@admin.register(Inmate)
class InmateAdmin(admin.ModelAdmin):
    list_display = [
        "registration_number", "last_name", "first_name", "gender", "current_facility", "status",
        "admission_date", "expected_release_date",
    ]
    list_filter = ["status", "gender", "prison_service", "current_facility"]
    search_fields = ["registration_number", "first_name", "last_name"]
    list_select_related = ["current_facility", "prison_service"]
    date_hierarchy = "admission_date"
    inlines = [CustodyEventInline]


@admin.register(CustodyEvent)
class CustodyEventAdmin(admin.ModelAdmin):
    list_display = ["inmate", "kind", "date", "from_facility", "to_facility"]
    list_filter = ["kind", "to_facility", "from_facility"]
    search_fields = ["inmate__registration_number", "inmate__last_name"]
    list_select_related = ["inmate", "from_facility", "to_facility"]
    raw_id_fields = ["inmate", "recorded_by"]
    date_hierarchy = "date"

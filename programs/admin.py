from django.contrib import admin

from programs.models import (
    Attendance,
    Cohort,
    Course,
    CourseModule,
    CourseRequest,
    Donation,
    Enrolment,
    EnrolmentStatusChange,
    EquipmentItem,
    EquipmentNeed,
    FundingAction,
    FundingActionCountry,
    PeerEducator,
    Session,
    SessionTrainer,
    TrainerQualification,
    WeeklySlot,
)


class CourseModuleInline(admin.TabularInline):
    model = CourseModule
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "kind", "audience", "planned_hours", "min_attendance_percent", "issuer", "is_active"]
    list_filter = ["kind", "audience", "is_active", "issuer"]
    search_fields = ["title", "code", "description"]
    list_select_related = ["issuer"]
    filter_horizontal = ["peer_educator_courses"]
    inlines = [CourseModuleInline]


class WeeklySlotInline(admin.TabularInline):
    model = WeeklySlot
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "facility", "room", "capacity", "start_date", "end_date", "delivery_mode"]
    list_filter = ["delivery_mode", "is_training_of_trainers", "course__kind", "facility"]
    search_fields = ["name", "course__title", "facility__name"]
    list_select_related = ["course", "facility", "room"]
    filter_horizontal = ["trainers"]
    raw_id_fields = ["cascade_of", "mentor", "funding_action"]
    date_hierarchy = "start_date"
    inlines = [WeeklySlotInline]


@admin.register(WeeklySlot)
class WeeklySlotAdmin(admin.ModelAdmin):
    list_display = ["cohort", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    search_fields = ["cohort__name"]
    list_select_related = ["cohort"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["cohort", "date", "start_time", "end_time", "status", "register_taken_at"]
    list_filter = ["status", "cohort__facility"]
    search_fields = ["cohort__name", "topics_covered"]
    list_select_related = ["cohort"]
    date_hierarchy = "date"
    raw_id_fields = ["cohort", "register_taken_by"]


class EnrolmentStatusChangeInline(admin.TabularInline):
    model = EnrolmentStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    can_delete = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["cohort", "inmate", "staff_member", "status", "requested_at", "final_result"]
    list_filter = ["status", "final_result", "cohort__facility"]
    search_fields = ["cohort__name", "inmate__last_name", "inmate__registration_number", "staff_member__last_name"]
    list_select_related = ["cohort", "inmate", "staff_member"]
    raw_id_fields = ["cohort", "inmate", "staff_member"]
    inlines = [EnrolmentStatusChangeInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "enrolment", "status", "reason", "recorded_by", "recorded_at"]
    list_filter = ["status", "reason"]
    search_fields = ["enrolment__inmate__last_name", "enrolment__staff_member__last_name", "session__cohort__name"]
    list_select_related = ["session__cohort", "enrolment__inmate", "enrolment__staff_member", "recorded_by"]
    raw_id_fields = ["session", "enrolment", "recorded_by"]


@admin.register(CourseRequest)
class CourseRequestAdmin(admin.ModelAdmin):
    list_display = ["course", "inmate", "staff_member", "facility", "requested_at", "status"]
    list_filter = ["status", "course", "facility"]
    search_fields = ["inmate__last_name", "inmate__registration_number", "staff_member__last_name", "course__title"]
    list_select_related = ["course", "inmate", "staff_member", "facility"]
    raw_id_fields = ["inmate", "staff_member", "enrolment"]


class FundingActionCountryInline(admin.TabularInline):
    model = FundingActionCountry
    extra = 0


@admin.register(FundingAction)
class FundingActionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "donor", "implementing_partner", "start_date", "end_date"]
    list_filter = ["donor"]
    search_fields = ["code", "title", "description"]
    list_select_related = ["donor", "implementing_partner"]
    inlines = [FundingActionCountryInline]


class EquipmentItemInline(admin.TabularInline):
    model = EquipmentItem
    extra = 0
    raw_id_fields = ["room"]


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["date", "donor", "facility", "funding_action"]
    list_filter = ["donor", "facility"]
    search_fields = ["note", "donor__name", "facility__name"]
    list_select_related = ["donor", "facility", "funding_action"]
    date_hierarchy = "date"
    raw_id_fields = ["created_by"]
    inlines = [EquipmentItemInline]


@admin.register(EquipmentItem)
class EquipmentItemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "quantity", "condition", "facility", "room", "received_on"]
    list_filter = ["kind", "condition", "facility"]
    search_fields = ["name", "location_note"]
    list_select_related = ["facility", "room"]
    raw_id_fields = ["donation", "room"]


@admin.register(EquipmentNeed)
class EquipmentNeedAdmin(admin.ModelAdmin):
    list_display = ["cohort", "session", "kind", "quantity"]
    list_filter = ["kind"]
    list_select_related = ["cohort", "session"]
    raw_id_fields = ["cohort", "session"]


@admin.register(TrainerQualification)
class TrainerQualificationAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "course", "qualified_on"]
    list_filter = ["course"]
    search_fields = ["staff_member__last_name", "staff_member__first_name", "course__title"]
    list_select_related = ["staff_member", "course"]
    raw_id_fields = ["staff_member", "source_enrolment"]


@admin.register(SessionTrainer)
class SessionTrainerAdmin(admin.ModelAdmin):
    list_display = ["session", "staff_member", "joins_from", "is_remote"]
    list_filter = ["is_remote"]
    search_fields = ["staff_member__last_name", "joins_from"]
    list_select_related = ["session__cohort", "staff_member"]
    raw_id_fields = ["session", "staff_member"]


@admin.register(PeerEducator)
class PeerEducatorAdmin(admin.ModelAdmin):
    list_display = ["inmate", "cohort", "assigned_on", "active"]
    list_filter = ["active"]
    search_fields = ["inmate__last_name", "inmate__registration_number", "cohort__name"]
    list_select_related = ["inmate", "cohort"]
    raw_id_fields = ["cohort", "inmate", "source_enrolment", "assigned_by"]

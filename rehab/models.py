"""The shared core: organisations, facilities, rooms, staff, role assignments and public holidays."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.refdata import ReferenceQuerySet


class Country(models.TextChoices):
    KOSOVO = "XK", _("Kosovo")
    SERBIA = "RS", _("Serbia")
    NORTH_MACEDONIA = "MK", _("North Macedonia")
    BOSNIA = "BA", _("Bosnia and Herzegovina")
    ALBANIA = "AL", _("Albania")
    MONTENEGRO = "ME", _("Montenegro")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PRISON_SERVICE = "prison_service", _("Prison service")
        TRAINING_CENTRE = "training_centre", _("Training centre")
        NGO = "ngo", _("NGO")
        DONOR = "donor", _("Donor")
        PROBATION = "probation", _("Probation service")
        MINISTRY = "ministry", _("Ministry")
        HEALTH = "health", _("Health institution")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects = ReferenceQuerySet.as_manager()  # keeps the processes' copies current (rehab.refdata)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    class Kind(models.TextChoices):
        CORRECTIONAL = "correctional", _("Correctional centre")
        WOMEN = "women", _("Women's correctional centre")
        JUVENILE = "juvenile", _("Juvenile correctional centre")
        HIGH_SECURITY = "high_security", _("High security prison")
        DETENTION = "detention", _("Detention centre")
        OPEN = "open", _("Open prison")

    prison_service = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="facilities",
        limit_choices_to={"kind": Organisation.Kind.PRISON_SERVICE},
        verbose_name=_("prison service"),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    objects = ReferenceQuerySet.as_manager()  # keeps the processes' copies current (rehab.refdata)

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def country(self) -> str:
        return self.prison_service.country

    def clean(self) -> None:
        if self.prison_service_id and self.prison_service.kind != Organisation.Kind.PRISON_SERVICE:
            raise ValidationError({"prison_service": _("A facility must belong to a prison service.")})


class Room(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("facility"))
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    objects = ReferenceQuerySet.as_manager()  # keeps the processes' copies current (rehab.refdata)

    class Meta:
        ordering = ["facility__name", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="room_unique_name_per_facility"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.facility.name})"


class StaffMember(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", verbose_name=_("organisation")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("login"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.OTHER)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    home_city = models.CharField(_("home city"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Role(models.TextChoices):
    DIRECTOR = "director", _("Director")
    TRAINER = "trainer", _("Trainer")
    REGISTRAR = "registrar", _("Registrar")
    CASE_MANAGER = "case_manager", _("Case manager")
    PROBATION_OFFICER = "probation_officer", _("Probation officer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    DONOR = "donor", _("Donor")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")


class RoleAssignment(models.Model):
    """A user's role within one scope: a facility, an organisation or a country."""

    # Roles whose scope is a facility; the others are scoped by organisation or country.
    FACILITY_ROLES = frozenset({Role.DIRECTOR, Role.CASE_MANAGER})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments",
        verbose_name=_("facility"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments",
        verbose_name=_("organisation"),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # At most one scope; a system administrator has none, everyone else exactly one.
            models.CheckConstraint(
                condition=(
                    Q(role=Role.SYSTEM_ADMINISTRATOR, facility__isnull=True, organisation__isnull=True, country="")
                    | Q(facility__isnull=False, organisation__isnull=True, country="")
                    | Q(facility__isnull=True, organisation__isnull=False, country="")
                    | (Q(facility__isnull=True, organisation__isnull=True) & ~Q(country=""))
                ),
                name="roleassignment_exactly_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "facility", "organisation", "country"],
                name="roleassignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.facility_id:
            return str(self.facility)
        if self.organisation_id:
            return str(self.organisation)
        if self.country:
            return str(self.get_country_display())
        return str(_("Everything"))

    def clean(self) -> None:
        if self.role in self.FACILITY_ROLES and not self.facility_id:
            raise ValidationError({"facility": _("This role is scoped to a facility.")})


class PublicHoliday(models.Model):
    """Days on which no session is generated; one editable list per country."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["country", "date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [models.UniqueConstraint(fields=["country", "date"], name="holiday_unique_per_country_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.country})"

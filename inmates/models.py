"""People in custody and their movements between facilities."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.models import Facility, Gender, Organisation


class Inmate(models.Model):
    class Status(models.TextChoices):
        IN_CUSTODY = "in_custody", _("In custody")
        RELEASED = "released", _("Released")
        TRANSFERRED = "transferred", _("Transferred out of the service")

    prison_service = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inmates",
        limit_choices_to={"kind": Organisation.Kind.PRISON_SERVICE},
        verbose_name=_("prison service"),
    )
    registration_number = models.CharField(_("registration number"), max_length=40)
    # Names are stored exactly as written in the person's own script (Latin or Cyrillic).
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    current_facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inmates",
        verbose_name=_("current facility"),
    )
    admission_date = models.DateField(_("admission date"))
    expected_release_date = models.DateField(_("expected release date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_CUSTODY)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("inmate")
        verbose_name_plural = _("inmates")
        constraints = [
            models.UniqueConstraint(
                fields=["prison_service", "registration_number"], name="inmate_unique_number_per_service"
            ),
            models.CheckConstraint(
                condition=Q(expected_release_date__isnull=True)
                | Q(expected_release_date__gte=models.F("admission_date")),
                name="inmate_release_after_admission",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_custody") | Q(current_facility__isnull=False),
                name="inmate_in_custody_has_facility",
            ),
        ]
        indexes = [models.Index(fields=["current_facility", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.registration_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.current_facility_id and self.prison_service_id:
            if self.current_facility.prison_service_id != self.prison_service_id:
                raise ValidationError(
                    {"current_facility": _("The facility belongs to another prison service.")}
                )


class CustodyEvent(models.Model):
    """One movement in a person's custody history; the history follows them across facilities."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        TRANSFER = "transfer", _("Transfer")
        RELEASE = "release", _("Release")
        READMISSION = "readmission", _("Re-admission")

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="custody_events", verbose_name=_("inmate"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["inmate", "date", "id"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["admission", "readmission"], to_facility__isnull=False)
                    | Q(kind="transfer", to_facility__isnull=False, from_facility__isnull=False)
                    | Q(kind="release", from_facility__isnull=False, to_facility__isnull=True)
                ),
                name="custodyevent_facilities_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

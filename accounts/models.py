from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewerSettings(models.Model):
    """A reviewer's welfare choices. Absent row: the defaults (strong blur)."""

    class Blur(models.IntegerChoices):
        STRONG = 16, _("Strong")
        MEDIUM = 10, _("Medium")
        LIGHT = 5, _("Light")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_settings")
    blur_radius = models.PositiveSmallIntegerField(_("blur strength"), choices=Blur.choices, default=Blur.STRONG)

    class Meta:
        verbose_name = _("reviewer settings")
        verbose_name_plural = _("reviewer settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_blur_radius_display()}"

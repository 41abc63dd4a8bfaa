import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evidence.models import Exhibit


class ExhibitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Exhibit.Kind.choices, empty_label=_("All"))
    search = django_filters.ModelChoiceFilter(label=_("Seized during"), queryset=None, empty_label=_("All"))

    class Meta:
        model = Exhibit
        fields = ["q", "kind", "search"]

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["search"].queryset = dossier.searches.all()

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(seal_number__icontains=value)
            | Q(description__icontains=value)
            | Q(make__icontains=value)
            | Q(device_model__icontains=value)
            | Q(serial_number__icontains=value)
            | Q(imei__icontains=value)
        )

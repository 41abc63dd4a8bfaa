"""List filters (django-filter): each list page is filterable and searchable through one of these."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier, DossierSuspect, Search


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Dossier.Status.choices, empty_label=_("All"))

    class Meta:
        model = Dossier
        fields = ["q", "status"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(notice_number__icontains=value) | Q(title__icontains=value))


class BoardFilter(DossierFilter):
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("notice_number", "notice_number"),
            ("opened_on", "opened_on"),
            ("status", "status"),
            ("arrested_count", "arrested"),
            ("exhibits_pending", "pending"),
            ("new_count", "new"),
            ("last_activity", "activity"),
        ),
        field_labels={
            "notice_number": _("Notice number"),
            "opened_on": _("Opened on"),
            "status": _("Status"),
            "arrested_count": _("Under arrest warrant"),
            "exhibits_pending": _("Exhibits pending"),
            "new_count": _("New files"),
            "last_activity": _("Last activity"),
        },
    )


class SearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")

    class Meta:
        model = Search
        fields = ["q"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(address__icontains=value)
            | Q(warrant_reference__icontains=value)
            | Q(warrant_judge__icontains=value)
            | Q(officers_present__icontains=value)
        )


class SuspectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DossierSuspect.Status.choices, empty_label=_("All"))

    class Meta:
        model = DossierSuspect
        fields = ["q", "status"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(person__full_name__icontains=value)
            | Q(person__aliases__icontains=value)
            | Q(person__identifiers__value__icontains=value)
        ).distinct()

"""The frame of a dossier's tabbed pages, for the views of every app that adds a tab to a dossier."""

from django.shortcuts import render

from cases.selectors import membership_of


def dossier_tab(request, dossier, tab: str, template: str, **context):
    """Render ``template`` as the dossier's ``tab``, with the dossier and the user's membership."""
    return render(
        request,
        template,
        {"dossier": dossier, "membership": membership_of(request.user, dossier), "tab": tab, **context},
    )

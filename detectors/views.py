"""The administrators' page of detectors: the built-in ones (the DETECTORS setting) and the
registered classifiers, a form to register one, a switch to turn one off."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.roles import ADMIN
from audit.services import client_ip
from detectors.forms import ClassifierRegisterForm
from detectors.models import Classifier
from detectors.onnx_classifier import ModelRefused
from detectors.services import classifier_register, classifier_set_enabled


@login_required
@role_required(ADMIN)
def detector_index(request):
    form = ClassifierRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            classifier = classifier_register(
                spec=form.spec(), weights=form.cleaned_data["weights"].read(), by=request.user, ip=client_ip(request)
            )
        except ModelRefused as refusal:
            form.add_error("weights", _("This model cannot be used: %(reason)s") % {"reason": refusal})
        else:
            messages.success(
                request,
                _(
                    "%(name)s registered: it runs on every image ingested from now on; a dossier's team runs it on "
                    "the images already ingested from the dossier's Review page."
                )
                % {"name": classifier},
            )
            return redirect("detector_index")
    classifiers = Classifier.objects.defer("weights").select_related("created_by")
    return render(
        request, "detectors/index.html", {"form": form, "classifiers": classifiers, "builtin": settings.DETECTORS}
    )


@login_required
@role_required(ADMIN)
def classifier_enable(request, pk: int):
    if request.method == "POST":
        classifier = get_object_or_404(Classifier.objects.defer("weights"), pk=pk)
        classifier_set_enabled(
            classifier=classifier, enabled=request.POST.get("enabled") == "1", by=request.user, ip=client_ip(request)
        )
    return redirect("detector_index")

"""A classifier a force brings (an ONNX model, generated here: never a real classifier) is registered
by an administrator, checked (its SHA-256 recorded, a test inference run), runs on every new image,
orders the review and is named in the court report; one that is not a model is refused with its
reason; turned off, it no longer runs."""

import io

import numpy as np
import onnx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from onnx import TensorProto, helper
from PIL import Image

from audit.models import AuditEvent
from detectors.models import Classifier
from evidence.models import Detection
from tests.evidence.test_altered_copies import ingest


def brightness_model() -> bytes:
    """A tiny ONNX model: two scores, the image's mean brightness ("bright") and its complement."""
    mean = helper.make_node("ReduceMean", ["input"], ["mean"], keepdims=1)
    flat = helper.make_node("Flatten", ["mean"], ["bright"])
    one = helper.make_node("Constant", [], ["one"], value=helper.make_tensor("one", TensorProto.FLOAT, [1, 1], [1.0]))
    dark = helper.make_node("Sub", ["one", "bright"], ["dark"])
    both = helper.make_node("Concat", ["bright", "dark"], ["scores"], axis=1)
    graph = helper.make_graph(
        [mean, flat, one, dark, both],
        "brightness",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def form(weights: bytes, name: str = "Brightness") -> dict:
    return {
        "name": name,
        "version": "test-1",
        "weights": SimpleUploadedFile("model.onnx", weights),
        "labels": "bright\ndark",
        "alerting": "bright",
        "width": 16,
        "height": 16,
        "mean": "0, 0, 0",
        "std": "1, 1, 1",
    }


def jpeg(level: int, seed: int) -> bytes:
    noise = np.random.default_rng(seed).integers(-8, 8, (64, 64, 3))
    out = io.BytesIO()
    Image.fromarray(np.clip(level + noise, 0, 255).astype("uint8")).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def registered(client, admin):
    client.force_login(admin)
    response = client.post(reverse("detector_index"), form(brightness_model()))
    assert response.status_code == 302
    return Classifier.objects.get(name="Brightness")


@pytest.mark.django_db
def test_a_registered_classifier_runs_on_new_images_orders_the_review_and_is_reported(
    client, registered, owner, colleague, prosecutor, exhibit, tmp_path
):
    assert len(registered.sha256) == 64 and AuditEvent.objects.filter(action="classifier.register").exists()
    files = ingest(exhibit, owner, tmp_path / "seized", {"a-dark.jpg": jpeg(20, 1), "b-bright.jpg": jpeg(235, 2)})
    scores = {d.file.path.split("/")[-1]: d.score for d in Detection.objects.select_related("file")}
    assert scores["b-bright.jpg"] > 0.85 and scores["a-dark.jpg"] < 0.15  # the built-in one is off here

    client.force_login(colleague)
    page = client.get(reverse("dossier_review", args=[exhibit.dossier.pk]), {"order": "likely"}).content.decode()
    assert page.index("b-bright.jpg") < page.index("a-dark.jpg")  # by path, a-dark would come first
    likely = client.get(reverse("dossier_review", args=[exhibit.dossier.pk]), {"signal": "likely"}).content.decode()
    assert "b-bright.jpg" in likely and "a-dark.jpg" not in likely
    client.force_login(prosecutor)
    report = client.get(reverse("dossier_report", args=[exhibit.dossier.pk])).content.decode()
    assert "Brightness" in report and registered.sha256 in report
    assert files["b-bright.jpg"].pdq is not None


@pytest.mark.django_db
def test_a_file_that_is_not_a_model_is_refused_with_its_reason(client, admin):
    client.force_login(admin)
    refused = client.post(reverse("detector_index"), form(b"\x00not a model" * 100, name="Broken"))
    assert refused.status_code == 200 and "This model cannot be used" in refused.content.decode()
    labels = form(brightness_model(), name="Mislabelled") | {"labels": "bright\ndark\nthird"}
    assert "3 labels" in client.post(reverse("detector_index"), labels).content.decode()
    assert not Classifier.objects.exists()
    # Control: the same form with a real model registers it.
    assert client.post(reverse("detector_index"), form(brightness_model())).status_code == 302


@pytest.mark.django_db
def test_a_classifier_turned_off_no_longer_runs_and_only_admins_manage_them(
    client, registered, admin, owner, colleague, exhibit, tmp_path
):
    ingest(exhibit, owner, tmp_path / "before", {"one.jpg": jpeg(200, 3)})
    assert Detection.objects.count() == 1  # control: it ran while on
    client.post(reverse("classifier_enable", args=[registered.pk]), {"enabled": "0"})
    ingest(exhibit, owner, tmp_path / "after", {"two.jpg": jpeg(200, 4)})
    assert Detection.objects.count() == 1
    client.force_login(colleague)
    assert client.get(reverse("detector_index")).status_code == 403

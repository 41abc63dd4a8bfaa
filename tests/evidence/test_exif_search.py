"""Find in files finds the words a person wrote in a photo's tags (its comment, description,
keywords...), as ingested by the pipeline; the photo stays veiled, its camera's names are not words."""

import pytest
from django.urls import reverse

from evidence.models import FileText
from evidence.search.selectors import file_texts_search
from evidence.search.store import file_texts_save
from tests.evidence.test_altered_copies import ingest
from tests.hashing.test_exif import captioned, photo_bytes, tags

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(owner, exhibit, tmp_path):
    commented = photo_bytes(captioned(XPComment="levering bij de zonnebloemstraat", ImageDescription="Haven"), seed=1)
    return ingest(
        exhibit,
        owner,
        tmp_path / "photos",
        {
            "IMG_0001.jpg": commented,
            "IMG_0001 (copy).jpg": commented,  # a twin: decoded once, its words indexed all the same
            "IMG_0002.jpg": photo_bytes(tags(), seed=2),  # camera tags only
            "IMG_0003.jpg": photo_bytes(seed=3),  # no tags
        },
    )


def found(user, dossier, query: str) -> dict[str, set[str]]:
    hits: dict[str, set[str]] = {}
    for text in file_texts_search(user, dossier, query):
        hits.setdefault(text.file.path.split("/")[-1], set()).add(text.kind)
    return hits


def test_a_word_of_a_photos_comment_finds_it_and_its_copy(client, owner, prosecutor, dossier, photos):
    assert found(owner, dossier, "zonnebloemstraat") == {"IMG_0001.jpg": {"exif"}, "IMG_0001 (copy).jpg": {"exif"}}
    assert found(owner, dossier, "haven levering") == {"IMG_0001.jpg": {"exif"}, "IMG_0001 (copy).jpg": {"exif"}}
    assert found(owner, dossier, "canon") == {}  # the camera's make is no word of the photo
    assert found(owner, dossier, "zonnebloem") == {}  # words, not pieces of them (control of the first)
    assert found(prosecutor, dossier, "zonnebloemstraat") == {}


def test_the_hit_says_where_it_was_found_and_shows_no_picture(client, owner, dossier, photos):
    client.force_login(owner)
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": "zonnebloemstraat"}).content.decode()
    assert '<span class="chip" data-kind="exif">comment in the picture&#x27;s tags</span>' in page
    assert "#exif-text" in page
    assert "<mark>zonnebloemstraat</mark>" in page
    assert "<img" not in page.split('data-testid="hits"')[1]  # veiled: no picture in the results
    detail = client.get(photos["IMG_0001.jpg"].get_absolute_url()).content.decode()
    assert 'id="exif-text"' in detail and "levering bij de zonnebloemstraat" in detail
    filtered = client.get(
        reverse("dossier_text_search", args=[dossier.pk]), {"q": "zonnebloemstraat", "kind": "exif"}
    ).content.decode()
    assert "IMG_0001.jpg" in filtered
    filtered = client.get(
        reverse("dossier_text_search", args=[dossier.pk]), {"q": "zonnebloemstraat", "kind": "content"}
    ).content.decode()
    assert "IMG_0001.jpg" not in filtered


def test_an_image_ingested_before_gets_its_comment_indexed_by_the_text_index_job(owner, dossier, photos):
    FileText.objects.filter(file=photos["IMG_0001.jpg"]).delete()
    assert "IMG_0001.jpg" not in found(owner, dossier, "zonnebloemstraat")
    file_texts_save([photos["IMG_0001.jpg"]])  # what the text index job does for a file with no text row
    assert found(owner, dossier, "zonnebloemstraat")["IMG_0001.jpg"] == {"exif"}

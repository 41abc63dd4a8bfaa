"""Material for the review tests, made at test time: a series of near-identical images, others, a video."""

import io
from pathlib import Path

from evidence.synthetic import synthetic_image, synthetic_image_bytes, synthetic_video_bytes


def series_bytes(seed: int, count: int = 3) -> list[bytes]:
    """The same synthetic picture saved at different sizes and JPEG qualities: one series, near-identical."""
    base = synthetic_image(seed, size=(640, 480))
    versions = []
    for number in range(count):
        image = base.resize((640 - 80 * number, 480 - 60 * number))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=90 - 10 * number)
        versions.append(out.getvalue())
    return versions


def write_material(folder: Path, *, series_seed: int = 41, single_seeds=(42, 43), video: bool = True) -> dict:
    """A folder as seized: a series, single images, a video, a note and a damaged photo; name -> bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"series/s{number}.jpg": content for number, content in enumerate(series_bytes(series_seed))}
    for seed in single_seeds:
        files[f"photo{seed}.jpg"] = synthetic_image_bytes(seed)
    if video:
        files["clip.mp4"] = synthetic_video_bytes([51, 52])
    files["note.txt"] = b"meeting on tuesday\n"
    files["damaged.jpg"] = synthetic_image_bytes(44)[:2000]
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return files


def ensure_category_schemes() -> None:
    """Seed Project VIC and CAID again: a transactional test before this one flushed the migration's rows."""
    import importlib

    from hashing.models import CategoryScheme, CategoryValue

    seeded = importlib.import_module("hashing.migrations.0003_seed_category_schemes")
    for code, (name, values) in seeded.SCHEMES.items():
        scheme, _ = CategoryScheme.objects.get_or_create(code=code, defaults={"name": name})
        for value, label, is_alert in values:
            CategoryValue.objects.get_or_create(
                scheme=scheme, code=value, defaults={"label": label, "is_alert": is_alert}
            )

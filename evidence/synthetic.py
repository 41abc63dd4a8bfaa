"""Benign synthetic images for the demo, the tests and the benchmarks. Plain Python: no Django.

Scellé never touches real abuse material: every image is drawn here from a seed (shapes and
gradients), so the same seed always gives the same bytes.
"""

import io
import random

from PIL import Image, ImageDraw

PALETTE = [
    (230, 57, 70),
    (241, 250, 238),
    (168, 218, 220),
    (69, 123, 157),
    (29, 53, 87),
    (244, 162, 97),
    (42, 157, 143),
    (233, 196, 106),
    (38, 70, 83),
    (231, 111, 81),
]


def synthetic_image(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    top, bottom = rng.sample(PALETTE, 2)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(rng.randint(4, 9)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randint(20, width // 2), y0 + rng.randint(20, height // 2)
        colour = rng.choice(PALETTE)
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour, outline=(0, 0, 0))
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    return image


def synthetic_image_bytes(seed: int, fmt: str = "JPEG", size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    options = {"quality": 90} if fmt == "JPEG" else {}
    synthetic_image(seed, size).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def synthetic_video_bytes(seeds, seconds_each: int = 1, size: tuple[int, int] = (160, 120)) -> bytes:
    """An MP4 (MPEG-4 part 2) showing each synthetic image for ``seconds_each`` s, a keyframe a second."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.gop_size = 10
        for seed in seeds:
            frame = av.VideoFrame.from_image(synthetic_image(seed, size=size))
            for _ in range(10 * seconds_each):
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()

"""Detectors that look at an image's pixels and say what they see (sexual content, faces), each with
its model, version and the SHA-256 of its weights. Plain Python: no Django, no dossier, no file.

The pipeline hands the image it already decoded (``hashing.perceptual.digest_image``'s ``observe``):
no second decode. Which detectors run is a setting (DETECTORS); an empty one turns them off.
"""

NUDENET = "NudeNet 320n"  # the built-in model's name, as stored with each detection
FACES = "dlib ResNet faces"  # the face model's name (``detectors.faces``), as stored with each face

"""The evidence app's models, one module per room, all under the app label ``evidence``.

Every model and public name is re-exported here: ``from evidence.models import X`` is the one way
to import them (the migrations name ``evidence.models.HexDigests``).
"""

from evidence.models.detection_jobs import DetectionJob
from evidence.models.digests import HexDigests
from evidence.models.exhibits import (
    AUTO_LANGUAGE,
    EXHIBIT_FIELDS,
    EXHIBIT_LINK_FIELDS,
    EXHIBIT_TEXT_LANGUAGES,
    TEXT_LANGUAGES,
    Acquisition,
    CustodyEvent,
    Exhibit,
)
from evidence.models.files import (
    EvidenceFile,
    EvidenceFileQuerySet,
    ImageVerification,
    TriageCount,
    TriageCountQuerySet,
    VideoFrame,
)
from evidence.models.identifiers import FileIdentifier
from evidence.models.ingest import (
    BatchListing,
    ChunkedUpload,
    IngestBatch,
    IngestJob,
    IngestSource,
    SourceGrant,
    SourceGrantQuerySet,
)
from evidence.models.keywords import KeywordHit, KeywordList, KeywordRun, KeywordTerm
from evidence.models.metadata import Detection, Detector, Face, ImageMetadata
from evidence.models.review import Categorisation
from evidence.models.texts import LANGUAGES, FileText, TextIndexJob
from evidence.models.triage import PerceptualChange, RematchNotice

__all__ = [
    "AUTO_LANGUAGE",
    "EXHIBIT_FIELDS",
    "EXHIBIT_LINK_FIELDS",
    "EXHIBIT_TEXT_LANGUAGES",
    "LANGUAGES",
    "Acquisition",
    "BatchListing",
    "Categorisation",
    "ChunkedUpload",
    "CustodyEvent",
    "Detection",
    "DetectionJob",
    "Detector",
    "EvidenceFile",
    "EvidenceFileQuerySet",
    "Exhibit",
    "Face",
    "FileIdentifier",
    "FileText",
    "HexDigests",
    "ImageMetadata",
    "ImageVerification",
    "IngestBatch",
    "IngestJob",
    "IngestSource",
    "KeywordHit",
    "KeywordList",
    "KeywordRun",
    "KeywordTerm",
    "PerceptualChange",
    "RematchNotice",
    "SourceGrant",
    "SourceGrantQuerySet",
    "TEXT_LANGUAGES",
    "TextIndexJob",
    "TriageCount",
    "TriageCountQuerySet",
    "VideoFrame",
]

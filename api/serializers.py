"""What the API shows and accepts. Hashes are lowercase hex, as on the pages; rules live in services."""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Dossier, DossierSuspect
from config.messages import render
from evidence.models import EXHIBIT_FIELDS, EXHIBIT_LINK_FIELDS, EvidenceFile, Exhibit, IngestJob
from hashing.hashers import DIGEST_SIZES

HEX = re.compile(r"^[0-9a-fA-F]*$")


@extend_schema_field({"type": "string", "pattern": "^[0-9a-fA-F]+$"})
class HexDigestField(serializers.CharField):
    """A digest of ``size`` bytes written in hex (either case); the value is the bytes."""

    def __init__(self, *, size: int, **kwargs):
        self.size = size
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if len(text) != 2 * self.size or not HEX.match(text):
            raise serializers.ValidationError(
                _("Give this digest as %(digits)s hexadecimal digits.") % {"digits": 2 * self.size}
            )
        return bytes.fromhex(text)


class DossierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dossier
        fields = ["id", "notice_number", "title", "status", "opened_on", "judge_name", "judge_court", "created_at"]


class ExhibitSerializer(serializers.ModelSerializer):
    dossier = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Exhibit
        fields = [
            "id",
            "dossier",
            *(field for field in EXHIBIT_FIELDS if field not in EXHIBIT_LINK_FIELDS),
            "created_at",
        ]
        read_only_fields = ["id", "dossier", "created_at"]
        # The unique seal number per dossier is checked by exhibit_register (the dossier is in the URL).
        validators = []


class ExhibitWithCountsSerializer(ExhibitSerializer):
    files_count = serializers.IntegerField(read_only=True)
    known_count = serializers.IntegerField(read_only=True)
    known_good_count = serializers.IntegerField(read_only=True)
    new_count = serializers.IntegerField(read_only=True)
    error_count = serializers.IntegerField(read_only=True)
    pending_count = serializers.IntegerField(read_only=True)

    class Meta(ExhibitSerializer.Meta):
        fields = [
            *ExhibitSerializer.Meta.fields,
            "files_count",
            "known_count",
            "known_good_count",
            "new_count",
            "error_count",
            "pending_count",
        ]


class SuspectSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="person.full_name", read_only=True)
    birth_date = serializers.DateField(source="person.birth_date", read_only=True, allow_null=True)

    class Meta:
        model = DossierSuspect
        fields = ["id", "full_name", "birth_date", "status", "created_at"]


class EvidenceFileSerializer(serializers.ModelSerializer):
    exhibit = serializers.PrimaryKeyRelatedField(read_only=True)
    md5 = serializers.CharField(source="md5_hex", read_only=True)
    sha1 = serializers.CharField(source="sha1_hex", read_only=True)
    sha256 = serializers.CharField(source="sha256_hex", read_only=True)
    phash = serializers.CharField(source="phash_hex", read_only=True)
    pdq = serializers.CharField(source="pdq_hex", read_only=True)
    match_list = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(help_text="Why the file could not be read, in the request's language.")

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "exhibit",
            "path",
            "size",
            "mime",
            "md5",
            "sha1",
            "sha256",
            "phash",
            "pdq",
            "triage",
            "match_list",
            "match_algorithm",
            "match_category",
            "match_distance",
            "match_detail",
            "is_deleted",
            "error",
            "processed_at",
        ]

    def get_match_list(self, evidence_file) -> str:
        return evidence_file.match_list.name if evidence_file.match_list_id else ""

    def get_error(self, evidence_file) -> str:
        return render(evidence_file.error)  # a stored code (config.messages), or an old row's sentence


class FileFilterSerializer(serializers.Serializer):
    """Query parameters of the file lists."""

    hash = serializers.RegexField(
        r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$",
        required=False,
        help_text=_("An MD5, SHA-1 or SHA-256 in hex."),
        error_messages={"invalid": _("Give an MD5 (32), SHA-1 (40) or SHA-256 (64) in hexadecimal.")},
    )
    triage = serializers.ChoiceField(choices=EvidenceFile.Triage.choices, required=False)


class SubmittedFileSerializer(serializers.Serializer):
    path = serializers.CharField(max_length=4096, trim_whitespace=False)
    size = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    md5 = HexDigestField(size=DIGEST_SIZES["md5"], required=False)
    sha1 = HexDigestField(size=DIGEST_SIZES["sha1"], required=False)
    sha256 = HexDigestField(size=DIGEST_SIZES["sha256"], required=False)
    phash = HexDigestField(size=8, required=False, help_text=_("pHash, 16 hex digits."))
    pdq = HexDigestField(size=32, required=False, help_text=_("PDQ, 64 hex digits."))

    def validate_path(self, value):
        if "\x00" in value:
            raise serializers.ValidationError(_("A path cannot contain a NUL character."))
        return value

    def validate(self, attrs):
        if not any(attrs.get(name) for name in ("md5", "sha1", "sha256")):
            raise serializers.ValidationError(_("Give at least one of md5, sha1 and sha256."))
        return attrs


class HashSubmissionSerializer(serializers.Serializer):
    files = SubmittedFileSerializer(many=True, allow_empty=False, max_length=settings.API_MAX_SUBMITTED_FILES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].error_messages["max_length"] = _("At most {max_length} files per request: split them.")


class SubmittedFileResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    path = serializers.CharField()
    triage = serializers.CharField()
    match_list = serializers.CharField()
    match_category = serializers.CharField()


class HashSubmissionResultSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    files = SubmittedFileResultSerializer(many=True)


class IngestPathSerializer(serializers.Serializer):
    root = serializers.IntegerField(
        min_value=0, max_value=10_000, default=0, help_text=_("Index of the evidence source (EVIDENCE_SOURCES).")
    )
    path = serializers.CharField(
        max_length=4096,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("Relative to the evidence source, inside a folder an admin granted to the dossier (else 404)."),
    )
    archive_password = serializers.CharField(
        max_length=1024,
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=False,
        write_only=True,
        help_text=_("Opens the encrypted zip and 7z archives found there; kept encrypted until the job ends."),
    )

    def validate_path(self, value):
        if "\x00" in value:
            raise serializers.ValidationError(_("A path cannot contain a NUL character."))
        return value


class IngestJobSerializer(serializers.ModelSerializer):
    """An ingest job. Its error text names files: give ``files_visible`` in the context to show it."""

    exhibit = serializers.PrimaryKeyRelatedField(read_only=True)
    error = serializers.SerializerMethodField(
        help_text=_("Why the job failed; masked for members who may not read file names (prosecutors).")
    )

    class Meta:
        model = IngestJob
        fields = [
            "id",
            "exhibit",
            "status",
            "files_total",
            "bytes_total",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_error(self, job) -> str:
        if job.error and not self.context.get("files_visible", False):
            return str(_("hidden: file names are for the investigating team"))
        return job.error_text  # in the request's language (config.messages)


class IngestProgressSerializer(serializers.Serializer):
    files_done = serializers.IntegerField()
    bytes_done = serializers.IntegerField()
    errors = serializers.IntegerField()
    percent = serializers.IntegerField()
    bytes_per_second = serializers.FloatField()
    files_per_second = serializers.FloatField()
    eta_seconds = serializers.IntegerField(allow_null=True)
    batches_total = serializers.IntegerField()
    batches_done = serializers.IntegerField()


class IngestJobProgressSerializer(IngestJobSerializer):
    progress = IngestProgressSerializer(read_only=True)

    class Meta(IngestJobSerializer.Meta):
        fields = [*IngestJobSerializer.Meta.fields, "progress"]


class HashLookupSerializer(serializers.Serializer):
    hashes = serializers.ListField(
        child=serializers.RegexField(
            r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$",
            error_messages={"invalid": _("Give an MD5 (32), SHA-1 (40) or SHA-256 (64) in hexadecimal.")},
        ),
        allow_empty=False,
        max_length=settings.API_MAX_HASHES,
        error_messages={"max_length": _("At most {max_length} hashes per request: split the list.")},
    )


class ListMatchSerializer(serializers.Serializer):
    list = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()


class HashLookupResultSerializer(serializers.Serializer):
    hash = serializers.CharField()
    algorithm = serializers.CharField()
    matches = ListMatchSerializer(many=True)


class HashLookupResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Hashes looked up."))
    found = HashLookupResultSerializer(many=True, help_text=_("The hashes on at least one active list."))


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()

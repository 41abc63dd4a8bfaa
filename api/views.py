"""The REST API (v1): thin views over the selectors and services the pages use.

Permissions are the pages' own: ``dossier_for`` / ``exhibit_for`` / ``evidence_file_for`` answer
404 to non-members (admins included) and 403 to read-only members asking to write or to see files.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import ADMIN, INVESTIGATOR, has_role
from api.serializers import (
    ApiErrorSerializer,
    DossierSerializer,
    EvidenceFileSerializer,
    ExhibitSerializer,
    ExhibitWithCountsSerializer,
    FileFilterSerializer,
    HashLookupResponseSerializer,
    HashLookupSerializer,
    HashSubmissionResultSerializer,
    HashSubmissionSerializer,
    IngestJobProgressSerializer,
    IngestJobSerializer,
    IngestPathSerializer,
    SuspectSerializer,
)
from audit.services import audit_record, client_ip
from cases.models import DossierSuspect
from cases.selectors import can_see_files, dossier_for, dossiers_visible_to
from evidence.custody.exhibits import exhibit_register
from evidence.ingest.jobs import ingest_job_create_from_hashes
from evidence.ingest.server_paths import NotGranted, OutsideSources
from evidence.ingest.source_grants import ingest_job_create_from_server_path
from evidence.models import EvidenceFile
from evidence.selectors import (
    evidence_file_for,
    exhibit_for,
    exhibits_with_counts,
    files_search,
    ingest_job_for,
    ingest_job_progress,
)
from hashing.hashers import algorithm_for_hex
from hashing.selectors import active_matches

# Hashes of one lookup written in full into its audit event; the rest is covered by a digest.
LOOKUP_AUDITED = 100
ERRORS = {code: ApiErrorSerializer for code in (400, 401, 403, 404, 429)}


class Pagination(PageNumberPagination):
    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 1000


class PaginatedList(generics.ListAPIView):
    pagination_class = Pagination


@extend_schema(responses={200: DossierSerializer(many=True), **ERRORS})
class DossierList(PaginatedList):
    """The dossiers the token's user is a member of."""

    serializer_class = DossierSerializer

    def get_queryset(self):
        return dossiers_visible_to(self.request.user).order_by("-opened_on", "-id")


@extend_schema(responses={200: DossierSerializer, **ERRORS})
class DossierDetail(APIView):
    def get(self, request, pk: int):
        return Response(DossierSerializer(dossier_for(request.user, pk)).data)


class DossierExhibits(PaginatedList):
    """A dossier's exhibits with their file counts per triage state; investigators register new ones."""

    serializer_class = ExhibitWithCountsSerializer

    def get_queryset(self):
        dossier = dossier_for(self.request.user, self.kwargs["pk"])
        return exhibits_with_counts(dossier).order_by("seal_number", "id")

    @extend_schema(responses={200: ExhibitWithCountsSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ExhibitSerializer, responses={201: ExhibitSerializer, **ERRORS})
    def post(self, request, pk: int):
        dossier = dossier_for(request.user, pk, write=True)
        serializer = ExhibitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        exhibit = exhibit_register(
            dossier=dossier,
            kind=data.pop("kind"),
            seal_number=data.pop("seal_number"),
            description=data.pop("description", ""),
            by=request.user,
            ip=client_ip(request),
            **data,
        )
        return Response(ExhibitSerializer(exhibit).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: SuspectSerializer(many=True), **ERRORS})
class DossierSuspects(PaginatedList):
    serializer_class = SuspectSerializer

    def get_queryset(self):
        dossier = dossier_for(self.request.user, self.kwargs["pk"])
        return DossierSuspect.objects.filter(dossier=dossier).select_related("person").order_by("id")


FILE_FILTERS = [
    OpenApiParameter("hash", str, description="An MD5, SHA-1 or SHA-256 in hex (32, 40 or 64 digits)."),
    OpenApiParameter("triage", str, enum=EvidenceFile.Triage.values),
]


class FileList(PaginatedList):
    """Files with their hashes and triage: investigating members only (403 for prosecutors).

    Every answer is audited (``files.list``) with its query (``hash``, ``triage``, page) and counts:
    a list holds every path and hash of a dossier. The pages ask for the second factor again before
    an export; a token cannot (it stands for a script), so the API relies instead on a token made
    after a step-up, bound to its user's credentials and expiring (api.credentials), and on this event.
    """

    serializer_class = EvidenceFileSerializer

    def scope(self):
        """The dossier or exhibit whose files are listed, after the permission check."""
        raise NotImplementedError

    def get_queryset(self):
        self.scoped = self.scope()
        filters = FileFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        self.filters = {name: value for name, value in filters.validated_data.items() if value}
        files = EvidenceFile.objects.filter(**{self.scope_field: self.scoped})
        files = files_search(files, triage=self.filters.get("triage", ""))
        if digest := self.filters.get("hash"):
            files = files.filter(**{algorithm_for_hex(digest): bytes.fromhex(digest)})
        return files.order_by("id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        query = dict(self.filters)
        for name in ("page", "page_size"):
            if request.query_params.get(name):
                query[name] = request.query_params[name][:20]
        audit_record(
            actor=request.user,
            action="files.list",
            target=self.scoped,
            ip=client_ip(request),
            via="api",
            query=query,
            count=response.data.get("count"),
            returned=len(response.data.get("results", [])),
        )
        return response


@extend_schema(parameters=FILE_FILTERS, responses={200: EvidenceFileSerializer(many=True), **ERRORS})
class DossierFiles(FileList):
    scope_field = "exhibit__dossier"

    def scope(self):
        return dossier_for(self.request.user, self.kwargs["pk"], files=True)


@extend_schema(parameters=FILE_FILTERS, responses={200: EvidenceFileSerializer(many=True), **ERRORS})
class ExhibitFiles(FileList):
    scope_field = "exhibit"

    def scope(self):
        return exhibit_for(self.request.user, self.kwargs["pk"], files=True)


@extend_schema(responses={200: ExhibitWithCountsSerializer, **ERRORS})
class ExhibitDetail(APIView):
    def get(self, request, pk: int):
        exhibit = exhibit_for(request.user, pk)
        return Response(ExhibitWithCountsSerializer(exhibits_with_counts(exhibit.dossier).get(pk=exhibit.pk)).data)


@extend_schema(responses={200: EvidenceFileSerializer, **ERRORS})
class FileDetail(APIView):
    def get(self, request, pk: int):
        evidence_file = evidence_file_for(request.user, pk)
        audit_record(actor=request.user, action="file.view", target=evidence_file, ip=client_ip(request), via="api")
        return Response(EvidenceFileSerializer(evidence_file).data)


class ExhibitHashes(APIView):
    """Files hashed elsewhere: recorded in the exhibit, matched against the active lists at once."""

    @extend_schema(request=HashSubmissionSerializer, responses={201: HashSubmissionResultSerializer, **ERRORS})
    def post(self, request, pk: int):
        exhibit = exhibit_for(request.user, pk, write=True)
        serializer = HashSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = ingest_job_create_from_hashes(
            exhibit=exhibit, files=serializer.validated_data["files"], by=request.user, ip=client_ip(request)
        )
        files = job.files.select_related("match_list").order_by("id")
        result = {
            "job": job.pk,
            "files": [
                {
                    "id": f.pk,
                    "path": f.path,
                    "triage": f.triage,
                    "match_list": f.match_list.name if f.match_list_id else "",
                    "match_category": f.match_category,
                }
                for f in files
            ],
        }
        return Response(HashSubmissionResultSerializer(result).data, status=status.HTTP_201_CREATED)


class ExhibitIngest(APIView):
    """Ingest a folder or file where it lies on the evidence server, inside a folder granted to the dossier.

    A path outside every folder an admin granted to the exhibit's dossier is 404, whether it exists
    or not (audited); a path that leaves EVIDENCE_SOURCES is 400.
    """

    @extend_schema(request=IngestPathSerializer, responses={201: IngestJobSerializer, **ERRORS})
    def post(self, request, pk: int):
        exhibit = exhibit_for(request.user, pk, write=True)
        serializer = IngestPathSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = ingest_job_create_from_server_path(
                exhibit=exhibit,
                root=serializer.validated_data["root"],
                path=serializer.validated_data["path"],
                by=request.user,
                ip=client_ip(request),
                archive_password=serializer.validated_data["archive_password"],
            )
        except NotGranted:
            raise NotFound from None
        except OutsideSources as error:  # MissingSource included: said, not audited
            raise ValidationError({"path": [str(error)]}) from None
        return Response(IngestJobSerializer(job).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: IngestJobProgressSerializer, **ERRORS})
class JobDetail(APIView):
    """An ingest job and its progress (files and bytes done, rate, time left)."""

    def get(self, request, pk: int):
        job = ingest_job_for(request.user, pk)
        job.progress = ingest_job_progress(job)
        files_visible = can_see_files(request.user, job.exhibit.dossier)
        return Response(IngestJobProgressSerializer(job, context={"files_visible": files_visible}).data)


class HashLookup(APIView):
    """Which of these hashes are on which active list: investigators and admins."""

    @extend_schema(request=HashLookupSerializer, responses={200: HashLookupResponseSerializer, **ERRORS})
    def post(self, request):
        if not (has_role(request.user, INVESTIGATOR) or has_role(request.user, ADMIN)):
            raise PermissionDenied
        serializer = HashLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = {digest.lower() for digest in serializer.validated_data["hashes"]}
        digests: dict[str, set[bytes]] = {}
        for digest in wanted:
            digests.setdefault(algorithm_for_hex(digest), set()).add(bytes.fromhex(digest))
        found = active_matches(digests)
        asked = sorted(wanted)
        # Who checked which material against the lists: the hashes (the first LOOKUP_AUDITED of them,
        # and a SHA-256 of the whole sorted list, so that a list kept elsewhere can be shown to be this one).
        audit_record(
            actor=request.user,
            action="hashes.lookup",
            ip=client_ip(request),
            via="api",
            count=len(asked),
            found=len(found),
            hashes=asked[:LOOKUP_AUDITED],
            hashes_sha256=hashlib.sha256("\n".join(asked).encode()).hexdigest(),
            found_hashes=sorted(value.hex() for _algorithm, value in found)[:LOOKUP_AUDITED],
        )
        results = [
            {
                "hash": value.hex(),
                "algorithm": algorithm,
                "matches": [{"list": m.list_name, "kind": m.kind, "category": m.category} for m in matches],
            }
            for (algorithm, value), matches in sorted(found.items(), key=lambda item: (item[0][0], item[0][1]))
        ]
        return Response(HashLookupResponseSerializer({"count": len(wanted), "found": results}).data)


class NotFoundView(APIView):
    """Any other address under /api/: a JSON 404, never the HTML page."""

    schema = None
    authentication_classes = []
    permission_classes = []

    def get(self, request, *args, **kwargs):
        raise NotFound

    post = put = patch = delete = get


@login_required
def api_docs(request):
    """Swagger UI, served from this application (drf-spectacular-sidecar), for logged-in users.

    Its start-up lives in static/js/api-docs.js, not inline, so the page keeps the site's CSP
    (no inline script): no exemption or nonce is needed.
    """
    return render(request, "api/docs.html")

"""The messages the hashing workers store (config.messages): why an image or a video is not
decoded, why a hash-list line is malformed, why an import failed. Registered when the app is
ready (hashing.apps)."""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    # Images and videos (hashing.perceptual)
    "image.too_many_pixels": _("image of %(width)sx%(height)s pixels is over the limit of %(limit)s pixels"),
    "image.bomb": _("decompression bomb refused: %(reason)s"),
    "image.unidentified": _("corrupt image: no decoder recognises its header (damaged, or not an image)"),
    "image.corrupt": _("corrupt image: %(reason)s"),
    "video.no_stream": _("no video stream"),
    "video.corrupt": _("corrupt video: %(reason)s"),
    "video.no_keyframe": _("corrupt video: no keyframe could be decoded"),
    "video.cut_short": _("video cut short: %(frames)s of the %(stated)s frames its index states (truncated?)"),
    # Hash lists (hashing.listformats, hashing.importers)
    "list.line_too_long": _("line longer than %(limit)s bytes"),
    "list.not_hex": _("not a hexadecimal hash"),
    "list.hex_length": _("%(digits)s hex digits: not MD5 (32), SHA-1 (40) or SHA-256 (64)"),
    "list.digest_not_hex": _("%(algorithm)s: not hexadecimal"),
    "list.digest_length": _("%(algorithm)s: %(digits)s hex digits, expected %(expected)s"),
    "list.not_utf8": _("not UTF-8 (byte %(byte)s)"),
    "list.columns": _("%(count)s columns, expected %(expected)s"),
    "list.column_not_hash": _("%(column)s: not a %(digits)s-digit hexadecimal hash"),
    "list.no_hash_in_columns": _("no hash in the mapped columns"),
    "list.vics_not_object": _("Media record %(record)s: not an object"),
    "list.vics_record": _("Media record %(record)s: %(reason)s"),
    "list.vics_no_hash": _("Media record %(record)s: no hash among %(fields)s"),
    "list.nsrl_row": _("FILE row %(row)s: %(reason)s"),
    "list.nul_bytes": _(
        "the file holds NUL bytes: UTF-16 or UTF-32 without its byte order mark, or not a text file; save the "
        "list as UTF-8, or as UTF-16 with its byte order mark"
    ),
    "list.not_nsrl": _("not an NSRL RDS v3 database: %(reason)s"),
    "list.no_header": _("empty file: no header row"),
    "list.mapping_unknown": _("the column mapping names unknown fields or columns: %(names)s"),
    "list.mapping_no_hash": _("no column is mapped to a hash (md5, sha1, sha256, phash or pdq)"),
    "list.not_icse": _("not an ICSE export: the header must start MD5;SHA1;PhotoDNA"),
    "list.hashdeep_row_before_header": _("line %(line)s: a row before the %%%%%%%% line naming the columns"),
    "list.json_syntax": _("JSON syntax error at byte %(byte)s, line %(line)s: %(reason)s"),
    "list.not_vics": _("not a VICS file: no value array of Media or cases"),
    "list.empty_file": _("empty file"),
    "list.format_unknown": _("the %(format)s format is unknown"),
    "list.no_hash_found": _("no hash found in the file"),
    "list.connection_lost": _("database connection lost: %(reason)s"),
    "list.unexpected_error": _("stopped by an unexpected error: %(kind)s: %(detail)s"),
    "list.unexpected_error_bare": _("stopped by an unexpected error: %(kind)s"),
}

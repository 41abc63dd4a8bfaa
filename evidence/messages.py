"""The messages the evidence workers store (config.messages): archive and disk-image findings,
file errors, job errors. Registered when the app is ready (evidence.apps).

Each text names its parameters (``%(name)s``); a parameter may hold a library's own words (a
py7zr or The Sleuth Kit error), which stay as they are inside the translated sentence.
"""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    # Archives (evidence.ingest.archives)
    "archive.damaged": _("%(archive)s: archive damaged or truncated, walk stopped: %(reason)s"),
    "archive.reason_eof": _(
        "its data ends before the size its entry states (the archive's directory does not match its content)"
    ),
    "archive.reason_no_detail": _("%(kind)s (the reader gave no detail)"),
    "archive.member_unreadable": _("unreadable member: %(reason)s"),
    "archive.nested_depth": _("archive or e-mail inside another not opened: depth limit of %(depth)s reached"),
    "archive.nested_too_large": _("archive or e-mail inside another not opened: larger than the in-memory limit"),
    "archive.member_limit": _("%(archive)s: expansion stopped after %(members)s members (member limit)"),
    "archive.total_limit": _("%(archive)s: expansion stopped after %(bytes)s bytes (total size limit)"),
    "archive.bomb": _(
        "compression ratio %(ratio)s:1 is over the limit of %(limit)s:1 (likely a decompression bomb): not expanded"
    ),
    "archive.whole_bomb": _("the archive as a whole: %(reason)s"),
    "archive.overlapping": _(
        "%(archive)s: %(count)s entries point at data another entry already holds (overlapping entries, a "
        "zip-bomb technique): those entries were not read"
    ),
    "archive.name_absolute": _("absolute member name '%(name)s'"),
    "archive.name_traversal": _("path traversal in member name '%(name)s'"),
    "archive.member_overlaps": _("its data overlaps another member's (overlapping entries, a zip bomb): not read"),
    "archive.member_encrypted": _("encrypted archive member: content not readable without the password"),
    "archive.member_wrong_password": _("encrypted archive member: the password given does not open it"),
    "archive.member_wrong_password_or_damaged": _(
        "encrypted archive member: the password given does not open it (or its data is damaged)"
    ),
    "archive.member_decrypted": _("encrypted archive member: decrypted with the password given for the job"),
    "archive.encrypted_member_unreadable": _("unreadable encrypted member: %(reason)s"),
    "archive.member_too_large": _("member of %(size)s bytes is over the limit of %(limit)s"),
    # E-mail's attachments (evidence.ingest.archives.mails)
    "archive.mail_too_large": _(
        "%(archive)s: the e-mail is over the in-memory limit of %(limit)s bytes: its attachments were not taken out"
    ),
    "archive.mail_unreadable": _("%(archive)s: e-mail unreadable, its attachments were not taken out: %(reason)s"),
    "archive.mbox_message_too_large": _(
        "%(archive)s: message %(number)s is over the limit of %(limit)s bytes: its attachments were not taken out"
    ),
    "archive.mbox_message_unreadable": _(
        "%(archive)s: message %(number)s unreadable, its attachments were not taken out: %(reason)s"
    ),
    "archive.mail_message_written_back": _(
        "a message attached to the e-mail: its bytes are the message as the e-mail parser read it, written back"
    ),
    "archive.msg_message_rebuilt": _(
        "an Outlook message attached to the message: rebuilt as a .msg file of its own from its storage in the "
        "outer file (its hashes are those of the rebuilt file)"
    ),
    "archive.msg_attachment_without_data": _("attachment without content of its own (a link or an object): not read"),
    "archive.member_longer": _("member longer than the %(size)s bytes its header states: not read further"),
    "archive.forward_over_limit": _(
        "member over the limit of %(limit)s bytes or of the archive's ratio of %(ratio)s:1: not read further"
    ),
    "archive.forward_truncated": _("the archive ends inside this member (truncated)"),
    "archive.member_from_local_header": _("read from its local header: the archive has no central directory"),
    "archive.no_central_directory": _(
        "%(archive)s: no central directory (%(reason)s); %(count)s complete members read from their local headers"
    ),
    "archive.no_central_directory_cut": _(
        "%(archive)s: no central directory (%(reason)s); %(count)s complete members read from their local "
        "headers, then: the archive is cut after them"
    ),
    "archive.no_central_directory_then": _(
        "%(archive)s: no central directory (%(reason)s); %(count)s complete members read from their local "
        "headers, then: %(then)s"
    ),
    "archive.no_central_directory_stopped_at": _(
        "%(archive)s: no central directory (%(reason)s); %(count)s complete members read from their local "
        "headers, then, at %(name)s: %(then)s"
    ),
    "archive.symlink": _("symbolic link: no content, not followed"),
    "archive.symlink_to": _("symbolic link to '%(target)s': no content, not followed"),
    "archive.hardlink_to": _("hard link to '%(target)s': no content of its own"),
    "archive.special_entry": _("device, FIFO or special entry: no content"),
    "archive.tar_truncated": _("%(archive)s: the archive ends without its end-of-archive blocks (truncated?)"),
    "archive.crc_mismatch": _("unreadable member: CRC mismatch, content damaged: %(reason)s"),
    "archive.7z_header_encrypted": _(
        "%(archive)s: encrypted 7z header: the member list is not readable without the password"
    ),
    "archive.7z_header_wrong_password": _(
        "%(archive)s: encrypted 7z header: the password given does not open it (or the header is damaged: %(reason)s)"
    ),
    "archive.7z_wrong_password": _(
        "%(archive)s: nothing could be decrypted with the password given (wrong password?): %(reason)s"
    ),
    "archive.dictionary_too_large": _(
        "compressed with a dictionary of %(size)s bytes, over the in-memory limit of %(limit)s: not expanded"
    ),
    "archive.damaged_before_member": _("unreadable member: the archive is damaged at or before it"),
    "archive.unreadable": _("%(archive)s: archive unreadable: %(reason)s"),
    "archive.too_large_in_image": _("archive inside a disk image larger than the in-memory limit: not expanded"),
    "archive.member_too_large_to_decode": _("too large to decode in memory"),
    "archive.member_not_found_again": _("%(archive)s: this member is not in the archive any more"),
    "archive.member_changed": _("%(archive)s: this member is not the one hashed at ingest (another SHA-256)"),
    # Disk images (evidence.ingest.disk_images, evidence.ingest.pipeline.containers)
    "disk.damaged": _(
        "damaged image: %(bytes)s bytes cannot be read, in %(places)s place(s), the first at byte %(offset)s "
        "(%(reason)s); the files around were listed, and a file stored there is recorded as unreadable"
    ),
    "disk.read_error": _("the image cannot be read at byte %(offset)s: %(reason)s"),
    "disk.unreadable_further": _("disk image could not be read further: %(reason)s"),
    "disk.no_file_system": _("no partition table or file system that can be read was found"),
    "disk.name_without_metadata": _("name without metadata (deleted and overwritten): no content to recover"),
    "disk.directory_loop": _("directory already walked (a loop): not followed"),
    "disk.symlink": _("symbolic link: no content, not followed"),
    "disk.unreadable_entry": _("unreadable directory entry: %(reason)s"),
    "disk.partition_past_end": _(
        "partition table: entry %(entry)s (type %(type)s) starts at sector %(start)s, past the end of the image "
        "(%(sectors)s sectors): not read"
    ),
    "disk.partition_past_end_others_read": _(
        "partition table: entry %(entry)s (type %(type)s) starts at sector %(start)s, past the end of the image "
        "(%(sectors)s sectors): not read; the other entries were read one by one"
    ),
    "disk.media_read_error": _("read error at byte %(offset)s: %(reason)s"),
    "disk.media_ends": _("the image ends at byte %(read)s of %(size)s"),
    "disk.cannot_open": _("the image cannot be opened: %(reason)s"),
    "disk.media_mismatch": _("the media hash does not match the hash stored in the image: damaged or altered"),
    "disk.media_unreadable": _("the media could not be read to its end: %(reason)s"),
    "disk.verification_mismatch": _("image verification: Mismatch"),
    "disk.verification_mismatch_because": _("image verification: Mismatch: %(reason)s"),
    "disk.verification_unreadable": _("image verification: Image not readable to its end"),
    "disk.verification_unreadable_because": _("image verification: Image not readable to its end: %(reason)s"),
    # Files (evidence.ingest.sources, evidence.ingest.pipeline)
    "file.unreadable": _("unreadable: %(reason)s"),
    "file.empty": _("empty file (0 bytes)"),
    "file.folder_unreadable": _("folder not readable, its content not listed: %(reason)s"),
    "file.linked_folder": _("symbolic link to a folder, not followed"),
    "file.symlink_to": _("symbolic link to '%(target)s', not followed"),
    "file.symlink": _("symbolic link, not followed"),
    "file.not_regular": _("not a regular file (device, FIFO or socket)"),
    "file.image_too_large_to_decode": _("image too large to decode in memory"),
    "file.video_too_large_to_sample": _("video too large to sample in memory"),
    "file.e01_segment": _(
        "segment %(number)s of a split E01 image: its files are listed with the image's first segment"
    ),
    "file.same_content": _("same content as %(path)s: decoded once for both"),
    # Detectors run again on a dossier (evidence.ingest.redetection)
    "detection.in_archive": _("inside an archive: not read again (its archive would have to be walked again)"),
    "detection.changed_since_ingest": _("changed since it was ingested (another SHA-256): not looked at"),
    "detection.no_model": _("none of the chosen models is available any more (turned off since?)"),
    # The kinds of batches, as IngestBatch.Kind labels them
    "batch.files": _("Files"),
    "batch.media": _("Media files"),
    "batch.archive": _("Archive"),
    "batch.image": _("Disk image"),
    "batch.verify": _("Image verification"),
    "batch.chat": _("Chat export"),
    "batch.ocr": _("Text read from pictures"),
    "job.ocr_stopped": _(
        "text read from pictures stopped: %(reason)s; the text of the pictures read until then is kept"
    ),
    # Jobs and batches (evidence.ingest.failures, evidence.tasks, evidence.ingest.pipeline.enumeration)
    "job.unexpected_error": _("stopped by an unexpected error: %(kind)s: %(detail)s"),
    "job.unexpected_error_bare": _("stopped by an unexpected error: %(kind)s"),
    "job.time_limit": _("not processed within the worker's time limit"),
    "job.not_listed": _("Could not list the source: %(reason)s"),
    "job.listing_stopped": _("Listing: %(reason)s"),
    "job.batch_failed": _("Batch %(number)s (%(kind)s): %(reason)s"),
    "job.container_batch_failed": _("Batch %(number)s (%(kind)s, %(path)s): %(reason)s"),
    "job.container_expansion_stopped": _("expansion (%(kind)s) stopped: %(reason)s"),
    "job.store_full": _(
        "Evidence store full: %(waits)s batch attempts stopped for want of space, nothing of them kept;"
        " each is tried again every %(seconds)s s until space is freed."
    ),
    "job.store_full_given_up": _("%(detail)s; given up after waiting for space"),
}

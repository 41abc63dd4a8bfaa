"""Ingest: evidence read into a dossier.

Where the files come from (``sources``, ``server_paths``, ``source_grants`` and their admin pages in
``source_grant_views``), what they are (``filetypes``, ``names``), the containers opened on the way
(``archives``, ``disk_images`` and the file systems inside them in ``disk_files``, ``mbr``,
``archive_passwords``), the pipeline the Celery tasks run (``pipeline``, with the batch kinds other
apps register in ``batch_readers``), file rows written in bulk (``filerows``), the jobs made,
cancelled and queued (``jobs``; from the browser's uploads, whole or in chunks: ``uploads``), work
given up (``failures``) and the work restarted after a lost worker or broker (``resume``). The
Celery tasks themselves stay in ``evidence/tasks.py``: their names are routed and stored in queued
messages.
"""

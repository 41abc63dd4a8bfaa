"""The audit log is not in the Django admin, on purpose.

Its rows name files, uploads and suspects of dossiers an admin is not a member of; the admin's
change list, search and "view" page would show them whole. Admins read the log on /audit/
(scelle.views.audit_log), where each dossier's names are masked unless they are on its team, and
check it with ``manage.py audit_verify``.
"""

"""Triage: files matched against the hash lists and near copies, the installation's file index,
and the hash lists' work that reaches the files."""

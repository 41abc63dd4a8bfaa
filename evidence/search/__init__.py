"""Content search: the files' text extracted, stored, searched and indexed again (issue 23)."""

"""The roof of the house: the URL root and the site-wide pages (health, metrics, operations, audit log).

It imports every app; no app imports it (ARCHITECTURE.md)."""

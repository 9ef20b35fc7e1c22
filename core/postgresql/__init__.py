"""PostgreSQL backend: Django's, with psycopg's C timestamptz loader (see base.py)."""

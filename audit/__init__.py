"""The append-only audit log: who did what, when and from where.

Knows no domain model: a row names its object by type and id, and its matter by id only
(`matter_id`), so every app can write rows and portal decides who may read them.
"""

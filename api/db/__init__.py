"""Persistence: typed ORM models, engine/session handling, migrations and repositories."""

"""`migrate` makes the database cache's table itself: a deployment that runs only `migrate`
(the container's one-off, a platform's release step) still has a working cache."""

from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

TABLE = "accord_cache_made_by_migrate"


def test_migrate_creates_the_database_caches_table(db) -> None:
    cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
    with override_settings(CACHES={"default": cache}):
        assert TABLE not in connection.introspection.table_names()
        call_command("migrate", verbosity=0)
        assert TABLE in connection.introspection.table_names()
        caches["default"].set("answer", 42)
        assert caches["default"].get("answer") == 42

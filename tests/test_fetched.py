"""The row counter that list-page tests rely on counts what it should."""

import pytest
from django.contrib.auth import get_user_model

from tests.fetched import rows_fetched

pytestmark = pytest.mark.django_db


def test_rows_fetched_counts_every_row_a_query_reads_and_nothing_it_does_not():
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{i}", email=f"u{i}@example.org") for i in range(7)])
    with rows_fetched() as fetched:
        assert len(list(User.objects.all())) == 7
        assert User.objects.filter(username="u3").first() is not None
        assert User.objects.count() == 7
        assert len(list(User.objects.values_list("id", flat=True)[:2])) == 2
        assert sum(1 for _ in User.objects.iterator(chunk_size=3)) == 7
    # 7 + 1 + 1 (the count's single row) + 2 + 7
    assert fetched.rows == 18
    assert fetched.queries == 5
    assert fetched.by_table == {User._meta.db_table: 18}

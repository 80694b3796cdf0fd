"""kit.paging.paginate: the total it answers equals a count of the whole list, whether or not it counted."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from kit.paging import paginate

ROWS = 7


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i} for i in range(1, ROWS + 1)])
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as session:
        session.info["table"], session.info["statements"] = table, statements
        yield session


@pytest.mark.parametrize(
    ("page", "per_page", "items", "counted"),
    [
        (1, 50, 7, False),  # one short page: the list ends on it
        (2, 5, 2, False),  # the short last page, with rows
        (1, 7, 7, True),  # a full page: there may be more
        (1, 5, 5, True),
        (3, 5, 0, True),  # past the end: no row tells where the list ends
    ],
)
def test_the_total_is_the_whole_list_counted_only_when_the_page_cannot_tell(session, page, per_page, items, counted):
    table = session.info["table"]
    answer = paginate(session, sa.select(table.c.id).order_by(table.c.id), page, per_page)
    assert len(answer.items) == items
    assert answer.total == ROWS
    assert answer.pages == -(-ROWS // per_page)
    assert any("count(" in s for s in session.info["statements"]) is counted


def test_an_empty_list_has_no_rows_and_one_page(session):
    table = session.info["table"]
    answer = paginate(session, sa.select(table.c.id).where(table.c.id > ROWS), 1, 50)
    assert (answer.items, answer.total, answer.pages) == ([], 0, 1)

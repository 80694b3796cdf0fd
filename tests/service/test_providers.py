"""The kit's providers in a real nameko container: one database however many providers use it, the seed
data in place before the service starts, and a queued notification sent after its commit."""

import eventlet
import pytest
import sqlalchemy as sa
from nameko.containers import ServiceContainer

from kit import notify
from kit.providers import Database, Notifications, Seeding
from services.followup import seed
from services.followup.models import Base

pytestmark = pytest.mark.service


class Followup:
    name = "followup"
    db = Database(Base.metadata)
    notifications = Notifications(db)
    seeding = Seeding(db, seed.reference_data)


class Outbox:
    name = "email"

    def __init__(self):
        self.sent = []

    def send(self, recipient, subject, body):
        self.sent.append((recipient, subject))


@pytest.fixture
def container(tmp_path, monkeypatch):
    mailbox = Outbox()
    monkeypatch.setattr(notify, "channel_from_settings", lambda raw: mailbox)
    container = ServiceContainer(Followup, {"VAR_DIR": str(tmp_path), "SEED": "reference", "max_workers": 2})
    container.mailbox = mailbox
    container.start()
    yield container
    container.stop()


def test_the_providers_share_the_one_database_and_the_seed_is_in_before_the_start(container):
    [db] = [d for d in container.dependencies if isinstance(d, Database)]
    users = [d for d in container.dependencies if isinstance(d, Notifications | Seeding)]
    assert len(users) == 2 and all(d.database() is db for d in users)
    callers = db.work().read(lambda s: s.execute(sa.text("SELECT count(*) FROM callers")).scalar_one())
    assert callers == len(seed.CALLERS)


def test_a_notification_queued_in_a_unit_of_work_is_sent_after_its_commit(container):
    [db] = [d for d in container.dependencies if isinstance(d, Database)]
    db.work().run(lambda uow: notify.queue(uow, recipient="li@example.cn", subject="您的车已可取", body="…"))
    for _ in range(100):  # bounded: the sender is woken by the commit
        if container.mailbox.sent:
            break
        eventlet.sleep(0.05)
    assert container.mailbox.sent == [("li@example.cn", "您的车已可取")]

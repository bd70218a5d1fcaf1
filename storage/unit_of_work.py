"""The SQLite unit of work: every repository bound to one connection and transaction."""

from __future__ import annotations

from storage.cache import RowCache
from storage.connection import Connection
from storage.repositories.annotators import SqliteAnnotators
from storage.repositories.answers import SqliteAnswers
from storage.repositories.assignments import SqliteAssignments
from storage.repositories.audit import SqliteAudit
from storage.repositories.earnings import SqliteEarnings
from storage.repositories.items import SqliteItems
from storage.repositories.media import SqliteMedia
from storage.repositories.outbox import SqliteOutbox
from storage.repositories.projects import SqliteProjects
from storage.repositories.quality import SqliteQuality
from storage.repositories.reminders import SqliteReminders
from storage.repositories.secrets import SqliteSecrets
from storage.repositories.speakers import SqliteSpeakers
from storage.repositories.stats import SqliteStats


class SqliteUnitOfWork:
    """Repositories sharing one connection inside one transaction."""

    def __init__(self, connection: Connection, cache: RowCache | None = None) -> None:
        self.connection = connection
        self.annotators = SqliteAnnotators(connection)
        self.projects = SqliteProjects(connection, cache)
        self.items = SqliteItems(connection, cache)
        self.assignments = SqliteAssignments(connection)
        self.answers = SqliteAnswers(connection)
        self.media = SqliteMedia(connection)
        self.audit = SqliteAudit(connection)
        self.outbox = SqliteOutbox(connection)
        self.reminders = SqliteReminders(connection)
        self.earnings = SqliteEarnings(connection)
        self.stats = SqliteStats(connection)
        self.quality = SqliteQuality(connection)
        self.secrets = SqliteSecrets(connection)
        self.speakers = SqliteSpeakers(connection)

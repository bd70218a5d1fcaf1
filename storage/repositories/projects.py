"""Projects: spec, status and invite code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from annotation.intake.spec import spec_from_json, spec_to_json
from annotation.models import (
    AnnotatorId,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from storage.cache import RowCache
from storage.codecs import from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import fetch_all, fetch_one

_COLUMNS = "id, spec, status, invite_code, created_at"


def _project(row: Row) -> Project:
    return Project(
        id=ProjectId(row[0]),
        spec=spec_from_json(row[1]),
        status=ProjectStatus(row[2]),
        invite_code=row[3],
        created_at=from_ts(row[4]),
    )


class SqliteProjects:
    """The ``projects`` table."""

    def __init__(self, connection: Connection, cache: RowCache | None = None) -> None:
        self._db = connection
        self._cache = cache

    async def add(self, spec: ProjectSpec, status: ProjectStatus, invite_code: str,
                  created_by: AnnotatorId | None, now: datetime) -> Project:
        """Store a new project and return it."""
        row = await fetch_one(
            self._db,
            "INSERT INTO projects (name, spec, status, invite_code, created_by, created_at) "
            f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (spec.name, spec_to_json(spec), status.value, invite_code, created_by, to_ts(now)),
        )
        assert row is not None
        return _project(row)

    async def get(self, project_id: ProjectId) -> Project | None:
        """Return the project or None."""
        if self._cache is not None:
            cached = self._cache.projects.get(project_id)
            if cached is not None:
                return cached
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM projects WHERE id = ?",
                              (project_id,))
        project = _project(row) if row else None
        if project is not None and self._cache is not None:
            self._cache.projects.put(project_id, project)
        return project

    async def by_invite(self, invite_code: str) -> Project | None:
        """Return the project with this invite code or None."""
        row = await fetch_one(
            self._db, f"SELECT {_COLUMNS} FROM projects WHERE invite_code = ?", (invite_code,)
        )
        return _project(row) if row else None

    async def by_name(self, name: str) -> Project | None:
        """Return the newest project with this name or None."""
        row = await fetch_one(
            self._db,
            f"SELECT {_COLUMNS} FROM projects WHERE name = ? ORDER BY id DESC LIMIT 1",
            (name,),
        )
        return _project(row) if row else None

    async def all(self) -> Sequence[Project]:
        """Return every project, newest first."""
        rows = await fetch_all(self._db, f"SELECT {_COLUMNS} FROM projects ORDER BY id DESC")
        return [_project(row) for row in rows]

    async def set_status(self, project_id: ProjectId, status: ProjectStatus) -> None:
        """Change a project's status."""
        if self._cache is not None:
            self._cache.projects.drop(project_id)
        await self._db.execute("UPDATE projects SET status = ? WHERE id = ?",
                               (status.value, project_id))

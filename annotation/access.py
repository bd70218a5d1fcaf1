"""Who may do what: the access policy of the console, role changes and the audit log.

Admins come from the configuration only (``ANNOBOT_ADMINS``): the stored role can never make
someone an admin, nor can a demotion unmake one. Admins grant and revoke the coordinator
role. Coordinators and admins use the console (projects, preview, broadcasts, reminders,
stats, the annotators list and quality decisions): a refusal there says so
(``NOT_COORDINATOR``); only admins change roles, export and handle payouts (``FORBIDDEN``).

Every privileged use case takes the acting user's id and asks :func:`require_coordinator`
or :func:`require_admin` with an :class:`Actor` read (:meth:`AccessService.actor_in`) inside
its own transaction, at the time of the request, whatever a button's callback data says.
Handlers do not check roles; they only read one to choose a menu (docs/SECURITY.md, "Who may
do what"; ``tests/annotation/test_access.py`` walks every privileged use case).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from annotation.errors import DomainError, ErrorCode, PermissionDenied
from annotation.models import DEFAULT_LANGUAGE, AnnotatorId, Role
from annotation.ports.store import AccessWork, HasAnnotators, Store
from annotation.records import AuditAction, AuditEntry, StaffMember


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting through the bot, with the role they hold right now."""

    id: AnnotatorId
    role: Role

    @property
    def is_coordinator(self) -> bool:
        """Return whether the actor may use the console (coordinators and admins)."""
        return self.role in (Role.COORDINATOR, Role.ADMIN)


def effective_role(user_id: int, stored: Role | None, admins: Collection[int]) -> Role:
    """Return the role that counts: admin from configuration, else coordinator if granted."""
    if user_id in admins:
        return Role.ADMIN
    return Role.COORDINATOR if stored is Role.COORDINATOR else Role.ANNOTATOR


def require_coordinator(actor: Actor) -> None:
    """Refuse anyone who is neither a coordinator nor an admin."""
    if not actor.is_coordinator:
        raise PermissionDenied(ErrorCode.NOT_COORDINATOR)


def require_admin(actor: Actor) -> None:
    """Refuse anyone the configuration does not name an admin."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(ErrorCode.FORBIDDEN)


class AccessService:
    """Reads actors, changes roles and keeps the audit log."""

    def __init__(self, store: Store[AccessWork], *, clock: Callable[[], datetime],
                 admins: Collection[int] = ()) -> None:
        self._store = store
        self._clock = clock
        self._admins = frozenset(admins)

    async def actor(self, user_id: int) -> Actor:
        """Return the user with the role they hold now (unknown users are annotators)."""
        async with self._store.read() as uow:
            return await self.actor_in(uow, user_id)

    async def actor_in(self, uow: HasAnnotators, user_id: int) -> Actor:
        """Return the actor as seen inside an open unit of work."""
        annotator = await uow.annotators.get(AnnotatorId(user_id))
        stored = annotator.role if annotator is not None else None
        return Actor(AnnotatorId(user_id), effective_role(user_id, stored, self._admins))

    async def coordinator(self, user_id: int) -> Actor:
        """Return the actor, refusing anyone who is not a coordinator or admin.

        Only an early refusal, before a flow does work of its own (downloading and parsing
        an upload): the use case at its end checks again in its own transaction.
        """
        actor = await self.actor(user_id)
        require_coordinator(actor)
        return actor


    async def set_coordinator(self, admin_id: int, target_id: int, target_name: str,
                              granted: bool) -> Role:
        """Grant or revoke the coordinator role (admins only); return the target's role."""
        now = self._clock()
        async with self._store.write() as uow:
            require_admin(await self.actor_in(uow, admin_id))
            if target_id in self._admins:
                raise DomainError(ErrorCode.BAD_TRANSITION, value=target_id)
            target = AnnotatorId(target_id)
            existing = await uow.annotators.get(target)
            if existing is None:
                await uow.annotators.upsert(target, target_name, DEFAULT_LANGUAGE, now)
            role = Role.COORDINATOR if granted else Role.ANNOTATOR
            await uow.annotators.set_role(target, role)
            action = AuditAction.PROMOTE if granted else AuditAction.DEMOTE
            await uow.audit.add(AuditEntry(now, AnnotatorId(admin_id), action, str(target_id)))
            return role

    async def staff(self, admin_id: int) -> Sequence[StaffMember]:
        """Return the coordinators (admins only)."""
        async with self._store.read() as uow:
            require_admin(await self.actor_in(uow, admin_id))
            return await uow.audit.staff()

    async def menu_holders(self) -> Sequence[StaffMember]:
        """Return everyone whose command menu is not the annotators' one (start-up).

        The stored coordinators, and the configured admins with the language they chose
        (the default language for an admin who never wrote to the bot).
        """
        async with self._store.read() as uow:
            stored = {m.id: m for m in await uow.audit.staff()}
            for admin_id in sorted(self._admins):
                found = await uow.annotators.get(AnnotatorId(admin_id))
                stored[AnnotatorId(admin_id)] = StaffMember(
                    AnnotatorId(admin_id), found.name if found else "", Role.ADMIN,
                    found.language if found else DEFAULT_LANGUAGE)
        return [StaffMember(m.id, m.name, effective_role(m.id, m.role, self._admins),
                            m.language) for m in stored.values()]

    async def member(self, user_id: int) -> StaffMember:
        """Return one user with their role now and their language (after a change)."""
        async with self._store.read() as uow:
            found = await uow.annotators.get(AnnotatorId(user_id))
        stored = found.role if found is not None else None
        return StaffMember(AnnotatorId(user_id), found.name if found else "",
                           effective_role(user_id, stored, self._admins),
                           found.language if found else DEFAULT_LANGUAGE)

    async def recent(self, admin_id: int, limit: int = 20) -> Sequence[AuditEntry]:
        """Return the newest audit entries (admins only)."""
        async with self._store.read() as uow:
            require_admin(await self.actor_in(uow, admin_id))
            return await uow.audit.recent(limit)

    async def lookup(self, admin_id: int, target_id: int | None) -> StaffMember | None:
        """Return the user an admin asks about, with their role now (admins only).

        None when there is nobody to look up (a forwarded message that hides its author).
        """
        async with self._store.read() as uow:
            require_admin(await self.actor_in(uow, admin_id))
            if target_id is None:
                return None
            found = await uow.annotators.get(AnnotatorId(target_id))
        stored = found.role if found is not None else None
        return StaffMember(AnnotatorId(target_id), found.name if found else "",
                           effective_role(target_id, stored, self._admins),
                           found.language if found else DEFAULT_LANGUAGE)

"""Ports: what the use cases need from storage, as Protocols, one module per area.

``people`` (annotators, secrets), ``projects`` (projects, items), ``loop`` (assignments,
answers), ``media``, ``quality`` and ``console`` hold the repositories; ``store`` the units
of work each group of use cases composes from them, and the ``Store`` that opens them.
``storage/`` implements them on SQLite; ``tests/fakes`` implements them in memory. A write
unit of work is one serialized transaction: every repository call inside it sees and
changes one consistent state, and nothing is visible to others until it commits.
"""

from annotation.ports.store import Store, UnitOfWork

__all__ = ["Store", "UnitOfWork"]

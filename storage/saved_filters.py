"""The users' saved task-queue filters (``saved_task_filters``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .task_models import SavedTaskFilter


class SavedFilters:
    """Saved filters of one unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_user(self, user_id: str) -> Sequence[SavedTaskFilter]:
        """A user's filters, oldest first."""
        return self.session.scalars(select(SavedTaskFilter).where(SavedTaskFilter.user_id == user_id)
                                    .order_by(SavedTaskFilter.created_at, SavedTaskFilter.name)).all()

    def count(self, user_id: str) -> int:
        return self.session.scalar(select(func.count()).select_from(SavedTaskFilter)
                                   .where(SavedTaskFilter.user_id == user_id)) or 0

    def put(self, user_id: str, name: str, query: str, at: datetime) -> bool:
        """Add the filter, or replace the query of the user's filter of that name; True when it is new."""
        found = self.session.scalar(select(SavedTaskFilter).where(SavedTaskFilter.user_id == user_id,
                                                                  SavedTaskFilter.name == name).with_for_update())
        if found is not None:
            found.query = query
            return False
        self.session.add(SavedTaskFilter(user_id=user_id, name=name, query=query, created_at=at))
        return True

    def remove(self, user_id: str, name: str) -> None:
        self.session.execute(delete(SavedTaskFilter).where(SavedTaskFilter.user_id == user_id,
                                                           SavedTaskFilter.name == name))

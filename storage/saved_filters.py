"""What the console keeps for each user: saved task-queue filters (``saved_task_filters``) and drafts of task forms
(``task_drafts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .task_models import HumanTask, SavedTaskFilter, TaskDraft


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


class TaskDrafts:
    """Users' drafts of task forms, of one unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, task_id: str, user_id: str) -> TaskDraft | None:
        return self.session.scalar(select(TaskDraft).where(TaskDraft.task_id == task_id,
                                                           TaskDraft.user_id == user_id))

    def put(self, task_id: str, user_id: str, values_json: str, at: datetime) -> None:
        """Keep the draft, replacing the user's earlier one of the task."""
        found = self.get(task_id, user_id)
        if found is None:
            self.session.add(TaskDraft(task_id=task_id, user_id=user_id, values_json=values_json, saved_at=at))
        else:
            found.values_json, found.saved_at = values_json, at

    def remove_of_finished(self, live: Sequence[str]) -> int:
        """Every draft of a task whose status is not one of ``live``; how many."""
        finished = select(HumanTask.id).where(HumanTask.status.not_in(list(live)))
        result = self.session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(finished)))
        return int(getattr(result, "rowcount", 0) or 0)

    def remove_of_task(self, task_id: str) -> None:
        """Every draft of a task (once it is completed, nobody needs them)."""
        self.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))

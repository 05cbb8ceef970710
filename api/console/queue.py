"""The queue's filters as the console reads them from a query string: checked like the API checks GET /tasks, each
bad value named in Chinese; and the Chinese reasons a filter is not saved (``workflows.saved_filters`` keeps them
per user)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from domain.actors import Actor
from domain.permissions import sees_all_organizations
from domain.text import IDENTIFIER_PATTERN
from workflows import saved_filters
from workflows.tasks import SORTS, TaskFilter

PAGE = 50
MAX_PAGE_NUMBER = 10_000
STATUSES = {"open": ("open",), "claimed": ("claimed",), "active": ("open", "claimed"), "mine": ("claimed",)}
STATUS_LABELS = {"active": "待办（待领取与办理中）", "open": "待领取", "claimed": "办理中", "mine": "我办理中的"}
SORT_LABELS = {"due": "按截止日期", "priority": "按优先级", "created": "按接收时间（早→晚）",
               "-created": "按接收时间（晚→早）"}
KEYS = ("status", "process", "role", "org", "overdue", "sort", "page")
IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
assert set(SORT_LABELS) == set(SORTS)


@dataclass
class QueueQuery:
    """What the user asked for, the filter it makes, and the Chinese message of each value that was refused."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status: str = "active"
    process: str | None = None
    role: str | None = None
    org: str | None = None
    overdue: bool = False
    sort: str = "due"
    page: int = 1

    def task_filter(self, actor: Actor, now: datetime) -> TaskFilter:
        """The storage filter of this query for ``actor``."""
        return TaskFilter(status=STATUSES[self.status], assignee=actor.user_id if self.status == "mine" else None,
                          process=self.process, role=self.role, org=self.org, overdue_at=now if self.overdue else None)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE

    def link(self, **changes: Any) -> str:
        """This query's string with ``changes`` (None drops a key); page 1 and the defaults are left out."""
        merged = {**{k: v for k, v in self.values.items() if k not in self.errors}, **changes}
        kept = {k: str(v) for k, v in merged.items()
                if k in KEYS and v not in (None, "", False) and not (k == "page" and str(v) == "1")}
        return urlencode(kept)


def read(args: Mapping[str, str], actor: Actor, roles: Mapping[str, str], orgs: Mapping[str, str]) -> QueueQuery:
    """Read the queue's query string; an unknown parameter or value is named and otherwise ignored."""
    q = QueueQuery(values={k: v for k, v in args.items() if k in KEYS})
    for name in args:
        if name not in KEYS:
            q.errors[name] = f"不支持的查询参数：{name[:40]}"
    status = args.get("status", "active")
    if status in STATUSES:
        q.status = status
    else:
        q.errors["status"] = "状态只能是：" + "、".join(STATUS_LABELS.values())
    sort = args.get("sort", "due")
    if sort in SORTS:
        q.sort = sort
    else:
        q.errors["sort"] = "排序方式不正确"
    process = args.get("process", "")
    if process:
        if IDENTIFIER.fullmatch(process) and len(process) <= 100:
            q.process = process
        else:
            q.errors["process"] = "流程标识不正确"
    overdue = args.get("overdue", "")
    if overdue in ("1", "true"):
        q.overdue = True
    elif overdue not in ("", "0", "false"):
        q.errors["overdue"] = "逾期筛选只能为是或否"
    page = args.get("page", "1")
    if page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE_NUMBER:
        q.page = int(page)
    else:
        q.errors["page"] = f"页码应为 1 至 {MAX_PAGE_NUMBER} 的整数"
    for name, known in (("role", roles), ("org", orgs)):
        given = args.get(name, "")
        if not given:
            continue
        if not sees_all_organizations(actor):
            q.errors[name] = "只有可查看全部机构的角色可以按角色或机构筛选"
        elif given not in known:
            q.errors[name] = "没有该角色" if name == "role" else "没有该机构"
        else:
            setattr(q, name, given)
    return q


FILTER_REFUSALS = {"filter_name_blank": "请填写筛选名称",
                   "filter_name_invalid": f"筛选名称最多{saved_filters.MAX_NAME}个字符，且不能含控制字符",
                   "filter_query_invalid": f"筛选条件最多{saved_filters.MAX_QUERY}个字符，且不能含控制字符",
                   "too_many_filters": f"最多保存{saved_filters.MAX_SAVED}个筛选，请先删除不用的"}

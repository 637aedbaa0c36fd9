"""Which task attempt the current thread runs, for work that a task claims in rows of its
own (push deliveries): claimed under the task's id, such work belongs to the task, and the
task's lease (backend/ops/services.py) decides when it is taken back. A task taken back
from a dead worker runs again under the same id, so it finds what its dead attempt claimed
and did not confirm, and does it again.

Set from django-tasks' task_started / task_finished signals, which the worker sends in the
thread that runs the task; outside a worker (tests calling services, the shell) there is
no attempt."""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskAttempt:
    task_id: str  # the task result's id as 32 hex digits (what a claim column holds)
    task_path: str
    number: int  # 1 for the first run; more when the task was taken back from a dead worker


_current: ContextVar[TaskAttempt | None] = ContextVar("task_attempt", default=None)


def current() -> TaskAttempt | None:
    return _current.get()


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _current.set(TaskAttempt(
        task_id=uuid.UUID(str(task_result.id)).hex,
        task_path=task_result.task.module_path,
        # One worker id per claim: a task taken back and claimed again counts two.
        number=max(1, task_result.attempts),
    ))


def on_task_finished(sender: Any, **kwargs: Any) -> None:
    _current.set(None)

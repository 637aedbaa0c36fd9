from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from backend.common import task_attempts

        task_started.connect(task_attempts.on_task_started, dispatch_uid="voisins-task-attempt-started")
        task_finished.connect(task_attempts.on_task_finished, dispatch_uid="voisins-task-attempt-finished")

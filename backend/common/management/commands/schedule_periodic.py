from django.core.management.base import BaseCommand

from backend.common.periodic import next_run_ensure, periodic_tasks


class Command(BaseCommand):
    help = "Starts the chain of each periodic task (settings.PERIODIC_TASKS) that is not running yet."

    def handle(self, *args, **options):
        for task, every in periodic_tasks().items():
            started = next_run_ensure(task, every=every)
            self.stdout.write(f"{task.module_path} every {every}: {'started' if started else 'already scheduled'}")

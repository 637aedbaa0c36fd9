"""Refreshes the pages' catalogues (backend/web/locale) after their strings changed:
extracts the strings of the templates and scripts, fills the English translations
(the source strings are English), lists the French ones still missing, and compiles
the .mo files that are committed. Needs GNU gettext (xgettext, msgmerge, msgfmt)."""

import os
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from backend.web import catalogues


@contextmanager
def _inside(path: Path):
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


class Command(BaseCommand):
    help = "Extracts, completes (English) and compiles the catalogues of backend/web."

    def handle(self, *args, **options):
        app = catalogues.LOCALE_DIR.parent
        with _inside(app):
            for domain, ignore in (("django", ["static/*"]), ("djangojs", ["static/web/vendor/*"])):
                call_command("makemessages", locale=list(catalogues.LANGUAGES), domain=domain, ignore_patterns=ignore,
                             no_obsolete=True, verbosity=0)
        filled = catalogues.fill_english()
        self.stdout.write(f"English: {filled} string(s) filled from their msgid.")
        missing = catalogues.untranslated("fr")
        with _inside(app):
            call_command("compilemessages", locale=list(catalogues.LANGUAGES), verbosity=0)
        if missing:
            raise CommandError("French translations missing (backend/web/locale/fr/LC_MESSAGES):\n  " + "\n  ".join(missing))
        self.stdout.write(self.style.SUCCESS("Catalogues complete and compiled."))

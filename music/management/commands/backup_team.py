from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from music.services import backup


class Command(BaseCommand):
    help = (
        "Write one team's rows and stored files into a zip archive (provider API keys are "
        "left out)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the team's slug")
        parser.add_argument("archive", help="the zip file to write")

    def handle(self, *args, slug, archive, **options):
        try:
            result = backup.backup_team(backup.get_team(slug), archive)
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        for name in result.missing_files:
            self.stderr.write(
                _("Missing from storage, not in the archive: %(name)s") % {"name": name}
            )
        counts = ", ".join(f"{key} {n}" for key, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Backed up “%(team)s” to %(archive)s: %(counts)s, %(files)s files.")
                % {"team": result.team, "archive": archive, "counts": counts, "files": result.files}
            )
        )
        self.stdout.write(
            _("Provider API keys are not in the archive: enter them again after a restore.")
        )

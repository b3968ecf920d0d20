from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from music.services import backup


class Command(BaseCommand):
    help = "Restore a team from an archive made by backup_team, into a studio without that team."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the zip file written by backup_team")

    def handle(self, *args, archive, **options):
        try:
            result = backup.restore_team(archive)
        except backup.BackupError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{key} {n}" for key, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored “%(team)s” (%(slug)s): %(counts)s, %(files)s files.")
                % {
                    "team": result.team,
                    "slug": result.team.slug,
                    "counts": counts,
                    "files": result.files,
                }
            )
        )
        if result.created_users:
            self.stdout.write(
                _("New users without a password (set one in the admin): %(users)s")
                % {"users": ", ".join(result.created_users)}
            )
        if result.accounts_without_keys:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Provider accounts restored without their API keys; a team owner must "
                        "enter them again: %(accounts)s"
                    )
                    % {"accounts": ", ".join(result.accounts_without_keys)}
                )
            )

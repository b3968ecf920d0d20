from django.core.management.base import BaseCommand

from music.services.teams import ensure_demo


class Command(BaseCommand):
    help = "Create the demo team and its admin user (idempotent) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-studio")

    def handle(self, *args, username, password, **options):
        user, team = ensure_demo(username, password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo team “{team}” is ready. Sign in as  {username} / {password}  "
                "(also an admin at /admin/)."
            )
        )

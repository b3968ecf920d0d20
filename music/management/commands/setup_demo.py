from django.core.management.base import BaseCommand

from music.services.teams import DEMO_PASSWORD, DEMO_USERNAME, ensure_demo


class Command(BaseCommand):
    help = (
        "Create the demo team and its admin user if they do not exist yet (an existing user "
        "keeps its password) and print how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, username, password, **options):
        user, team = ensure_demo(username, password)
        if user.check_password(password):
            login = f"Sign in as  {username} / {password}  (also an admin at /admin/)."
        else:
            login = f"Sign in as  {username}  with the password it was given (kept as it is)."
        self.stdout.write(self.style.SUCCESS(f"Demo team “{team}” is ready. {login}"))

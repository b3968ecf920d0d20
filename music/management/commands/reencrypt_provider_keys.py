from django.core.management.base import BaseCommand

from music.services.accounts import reencrypt_keys


class Command(BaseCommand):
    help = (
        "Encrypt every stored provider API key again with the first STUDIO_ENCRYPTION_KEY, "
        "so the old keys listed after it can be removed."
    )

    def handle(self, *args, **options):
        done, unreadable = reencrypt_keys()
        self.stdout.write(f"{done} provider API key(s) re-encrypted with the first key.")
        if unreadable:
            self.stdout.write(
                self.style.WARNING(
                    f"{unreadable} key(s) cannot be read with the current keys and were left "
                    "as they are: keep the old key listed, or have the owners enter them again."
                )
            )

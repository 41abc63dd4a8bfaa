from django.conf import settings
from django.core.management.base import BaseCommand

from demo.loader import demo_load, demo_second_factors


class Command(BaseCommand):
    help = "Load the demo (users, a dossier, an exhibit of synthetic images, a demo hash list), once."

    def handle(self, **options):
        logins = demo_load(settings.VAR_DIR)
        keys = demo_second_factors()
        self.stdout.write("Demo logins (user / password / authenticator key):")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<13} {password:<26} {keys[username]}")
        self.stdout.write("Second factor: add the key to an authenticator app, or print the current codes with")
        self.stdout.write("  .venv/bin/python manage.py demo_codes")

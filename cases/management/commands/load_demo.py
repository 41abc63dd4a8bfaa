from django.conf import settings
from django.core.management.base import BaseCommand

from cases.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo (users, a dossier, an exhibit of synthetic images, a demo hash list), once."

    def handle(self, **options):
        logins = demo_load(settings.VAR_DIR)
        self.stdout.write("Demo logins (user / password):")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<13} {password}")

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.loader import DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo users' current two-factor codes (local demo installations only)."

    def handle(self, **options):
        if settings.DEPLOYMENT != "local":
            raise CommandError("Demo codes exist only in a local demo installation.")
        for device in TOTPDevice.objects.filter(user__username__in=DEMO_USERS, name="demo", confirmed=True):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            left = device.step - (totp.time - device.t0) % device.step
            self.stdout.write(f"  {device.user.username:<13} {totp.token():06d}  (valid {left:.0f} s more)")

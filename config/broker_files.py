"""kombu's file-system transport (the broker of `make run`'s embedded default), with each message
written whole before a worker can see it.

kombu writes a message straight into its final name, then locks and fills it; a worker lists the
folder, renames the file to take it and reads it without a lock. A worker that takes a file between
its creation and its write reads an empty message, and stops on the JSON error (kombu issue #1551;
seen once in `make test-embedded`). Here the message is written under a name no worker takes
(``.part``) and renamed to its final name, which on one file system is atomic.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written in full, then given its name."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"  # not "<queue>.msg": no worker takes it
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

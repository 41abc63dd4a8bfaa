"""The embedded default's broker (kombu's file-system transport, config.broker_files): a message is
seen by a worker only once written whole. kombu's own wrote into the final name, so a worker taking
the file between its creation and its write read an empty message and stopped (kombu issue #1551)."""

import threading
import time
from queue import Empty

from kombu import Connection
from kombu.transport import resolve_transport

from config.broker_files import Transport


def test_the_file_system_broker_is_ours_and_every_message_taken_is_whole(tmp_path):
    assert resolve_transport("filesystem") is Transport
    folder = str(tmp_path)
    options = {"data_folder_in": folder, "data_folder_out": folder, "processed_folder": folder}
    count, taken, errors = 2000, [], []

    def write() -> None:
        with Connection("filesystem://", transport_options=options) as connection:
            channel = connection.default_channel
            for number in range(count):
                channel._put("q", {"body": str(number), "n": number})

    writer = threading.Thread(target=write)
    deadline = time.monotonic() + 60
    with Connection("filesystem://", transport_options=options) as connection:
        channel = connection.default_channel
        writer.start()
        while len(taken) < count and time.monotonic() < deadline:
            try:
                taken.append(channel._get("q")["n"])
            except Empty:
                if not writer.is_alive() and not list(tmp_path.glob("*.msg")):
                    break  # all written and none left: what is missing was lost
            except ValueError as error:  # an empty or cut message: the JSON does not decode
                errors.append(error)
        writer.join()
    assert errors == []
    assert sorted(taken) == list(range(count))  # each message once, none lost or empty
    assert not list(tmp_path.glob("*.part"))

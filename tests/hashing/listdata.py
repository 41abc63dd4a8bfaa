"""Small hash-list files in every format, written from benign synthetic data (never a real list)."""

import hashlib
import json
import random
import sqlite3
from pathlib import Path

from evidence.synthetic import synthetic_image_bytes


def digests(content: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, content).hexdigest() for name in ("md5", "sha1", "sha256")}


def image_digests(seeds) -> list[dict[str, str]]:
    return [digests(synthetic_image_bytes(seed, "JPEG", size=(64, 48))) for seed in seeds]


def random_digests(count: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [digests(rng.randbytes(64)) for _ in range(count)]


def hashdeep_text(rows: list[dict[str, str]]) -> bytes:
    lines = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha1,sha256,filename",
        "## Invoked from: /evidence",
        "## $ hashdeep -c md5,sha1,sha256 -r .",
        "##",
    ]
    lines += [f"{1000 + n},{r['md5']},{r['sha1']},{r['sha256']},/evidence/photo, {n}.jpg" for n, r in enumerate(rows)]
    return ("\n".join(lines) + "\n").encode()


def vics_media(row: dict[str, str], number: int, category: int = 1, **more) -> dict:
    return {
        "MediaID": number,
        "Category": category,
        "MD5": row["md5"].upper(),
        "SHA1": row["sha1"].upper(),
        "Series": f"series-{number % 2}",
        "MediaSize": 1000 + number,
        "VictimIdentified": False,
        "OffenderIdentified": False,
        "IsDistributed": True,
        "IsPrecategorized": True,
        "Tags": ["synthetic"],
        "AlternativeHashes": [
            {"HashName": "SHA256", "HashValue": row["sha256"]},
            {"HashName": "PDQ", "HashValue": "ab" * 32},
        ],
        "MediaFiles": [{"FileName": f"img{number}.jpg", "FilePath": f"C:\\\\cases\\\\img{number}.jpg"}],
        **more,
    }


def vics_1(rows) -> bytes:
    document = {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
        "value": [vics_media(row, n) for n, row in enumerate(rows)],
    }
    # As producers write it: a BOM, CRLF and tabs.
    return b"\xef\xbb\xbf" + json.dumps(document, indent="\t").replace("\n", "\r\n").encode()


def vics_2_cases(rows, region: str = "UK") -> bytes:
    half = len(rows) // 2
    document = {
        "@odata.context": f"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{region}/$metadata#Cases",
        "value": [
            {
                "CaseID": "{6C1C3A3E-0D3B-4C54-9D2B-2F0C3A2C1B11}",
                "Media": [vics_media(r, n) for n, r in enumerate(rows[:half])],
            },
            {"Media": [vics_media(r, n) for n, r in enumerate(rows[half:], start=half)], "CaseID": "{B2}"},
        ],
    }
    return json.dumps(document, indent=2).encode()


ICSE_HEADER = (
    "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;"
    "Number of submissions;File Available;Media Type;Baseline"
)


def icse_text(rows) -> bytes:
    lines = [ICSE_HEADER]
    lines += [
        f"{r['md5'].upper()};{r['sha1'].upper()};AAAA{n}==;{n};Yes;No;No;series {n};3;Yes;Image;No"
        for n, r in enumerate(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def nsrl_database(path: Path, rows) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER,"
            " package_id INTEGER, file_id INTEGER PRIMARY KEY)"
        )
        connection.executemany(
            "INSERT INTO FILE (sha256, sha1, md5, crc32, file_name, file_size, package_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (r["sha256"].upper(), r["sha1"].upper(), r["md5"].upper(), "0000ABCD", f"lib{n}.dll", 4096, 190 + n)
                for n, r in enumerate(rows)
            ],
        )
    return path

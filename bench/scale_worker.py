"""One fresh process serving the pages of `bench.scale`, as an application server's worker does,
and printing its memory afterwards.

`bench.scale` grows the clinic in its own process: the objects of a million bulk-inserted rows
leave that interpreter larger than any worker, whatever the pages cost. A worker only serves
requests, so this process starts clean (on the grown database, which DATABASE_URL names), signs
in each member of staff, opens every page a few times and prints its resident memory (VmRSS) and
its peak (VmHWM), in MiB, as one JSON line.

    DATABASE_URL=… python -m bench.scale_worker '<JSON: {"pages": [[email, url, params], …]}>'
"""

from __future__ import annotations

import json
import sys

from django.test import Client, override_settings
from django.test.utils import setup_test_environment

from clinic.accounts.models import User


def memory_mib() -> dict[str, float]:
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    return found


def main() -> int:
    job = json.loads(sys.argv[1])
    setup_test_environment()
    clients: dict[str, Client] = {}
    with override_settings(ROOT_URLCONF="bench.urls"):
        for email, url, params in job["pages"]:
            client = clients.get(email)
            if client is None:
                client = clients[email] = Client()
                client.force_login(User.objects.get(email=email))
            for _ in range(job.get("requests", 3)):
                response = client.get(url, params)
                assert response.status_code == 200, (url, response.status_code)
    print(json.dumps(memory_mib()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

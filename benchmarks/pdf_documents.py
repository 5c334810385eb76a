"""Time every PDF the app renders on request, on the demo data, through the real views.

    .venv/bin/python benchmarks/pdf_documents.py [--runs 5]

Builds the demo town in a throw-away SQLite database, signs in as the organisation office (and a
village branch), and asks each PDF URL several times with Django's test client. Prints a table of
seconds (first request of the process, then the median of the rest), the PDF size and the page count.
A published notice's PDF is served from the stored file, so it is listed for comparison.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="reserve-bench-")
    os.environ.update(DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", MEDIA_ROOT=f"{tmp}/media", REDIS_URL="",
                      DJANGO_SETTINGS_MODULE="reserve.settings", ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from candidates.models import Nomination, Round
    from publicity.models import Notice
    from reserve.models import User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    office = User.objects.get(username="zzb")
    round_ = Round.objects.first()
    vetted = Nomination.objects.filter(vetting_requests__isnull=False).first()
    any_nomination = Nomination.objects.order_by("id").first()
    notice = Notice.objects.first()
    documents = [
        ("自荐表 (nomination_form_pdf)", reverse("candidates:nomination_form_pdf", args=[any_nomination.pk])),
        ("资格审查表 (sheet_pdf)", reverse("vetting:sheet_pdf", args=[vetted.pk])),
        ("资格联审台账 (ledger_pdf), whole round", reverse("vetting:ledger_pdf", args=[round_.pk])),
        ("公示 notice (stored file)", reverse("publicity:notice_pdf", args=[notice.pk])),
    ]
    client = Client()
    client.force_login(office)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} CPU · "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())} · {args.runs} requests each")
    print("| document | first s | median s | KB | pages |")
    print("|---|---:|---:|---:|---:|")
    import io

    from pypdf import PdfReader

    for label, url in documents:
        times = []
        body = b""
        for _i in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200 and body.startswith(b"%PDF"), (url, response.status_code)
        pages = len(PdfReader(io.BytesIO(body)).pages)
        print(f"| {label} | {times[0]:.2f} | {statistics.median(times[1:] or times):.2f} | "
              f"{len(body) / 1024:.0f} | {pages} |")


if __name__ == "__main__":
    main()

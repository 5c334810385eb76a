"""Fill the ledger's per-nomination summary (VettingSummary) from the requests already sent: one aggregate over
the requests, written in batches. The rule is vetting.services.refresh_summary's, restated on the historical
models (a migration does not import the app's code)."""

from django.db import migrations
from django.db.models import Count, Min, Q

BATCH = 2000


def fill(apps, schema_editor):
    VettingRequest = apps.get_model("vetting", "VettingRequest")
    VettingSummary = apps.get_model("vetting", "VettingSummary")
    open_ = Q(status="pending")
    per_nomination = (VettingRequest.objects.values("nomination_id", "nomination__round_id")
                      .annotate(open_count=Count("pk", filter=open_),
                                problem_count=Count("pk", filter=~open_ & Q(flagged=True)),
                                next_deadline=Min("deadline", filter=open_))
                      .order_by("nomination_id"))
    batch = []
    for row in per_nomination.iterator(chunk_size=BATCH):
        batch.append(VettingSummary(nomination_id=row["nomination_id"], round_id=row["nomination__round_id"],
                                    open_count=row["open_count"], problem_count=row["problem_count"],
                                    next_deadline=row["next_deadline"]))
        if len(batch) >= BATCH:
            VettingSummary.objects.bulk_create(batch)
            batch = []
    VettingSummary.objects.bulk_create(batch)


def empty(apps, schema_editor):
    apps.get_model("vetting", "VettingSummary").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("vetting", "0005_vetting_summary")]

    operations = [migrations.RunPython(fill, empty)]

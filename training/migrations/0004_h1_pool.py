"""Placeholder of the pool pages (H1): its schema changes, written by hand, go here (empty when it needs none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0003_pool_required")]
    operations = []

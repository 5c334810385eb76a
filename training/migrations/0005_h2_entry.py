"""Placeholder of entry and tier rules (H2): its schema changes, written by hand, go here (empty when it needs none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0004_h1_pool")]
    operations = []

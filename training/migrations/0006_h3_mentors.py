"""Placeholder of mentors (H3): its schema changes, written by hand, go here (empty when it needs none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0005_h2_entry")]
    operations = []

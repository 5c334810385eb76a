"""Placeholder of talks (H3): its schema changes, written by hand, go here (empty when it needs none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cultivation", "0001_initial")]
    operations = []

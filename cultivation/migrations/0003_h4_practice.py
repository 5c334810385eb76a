"""Placeholder of practice and courses (H4): its schema changes, written by hand, go here (empty when it needs none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cultivation", "0002_h3_talks")]
    operations = []

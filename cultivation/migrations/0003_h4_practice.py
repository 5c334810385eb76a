from django.db import migrations, models


class Migration(migrations.Migration):
    """An enrolment's attendance is unrecorded (None) until the office records it."""

    dependencies = [("cultivation", "0002_h3_talks")]
    operations = [
        migrations.AlterField(
            model_name="enrolment",
            name="attended",
            field=models.BooleanField(blank=True, default=None, null=True, verbose_name="参加情况"),
        ),
    ]

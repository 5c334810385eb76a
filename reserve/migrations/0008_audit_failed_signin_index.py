"""The failed sign-ins by the username typed (issue 13 §2): an office's audit page reads those typed with its town's
usernames through this small partial index, not through the whole log."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reserve", "0007_job"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(condition=models.Q(("action", "login_failed"), ("user__isnull", True)),
                               fields=["username"], name="audit_failed_signin_idx"),
        ),
    ]

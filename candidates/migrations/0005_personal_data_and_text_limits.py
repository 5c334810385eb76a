# Personal data (issue 10): a nomination keeps the name as it was filed (the shared person row is no longer
# written from a 自荐表), how long a notice's list stays public after its period, and length limits on every
# free-text field of the 自荐表 (TextField.max_length: enforced by model forms; the database column stays text,
# so existing rows are kept as they are).

import django.core.validators
from django.db import migrations, models


def copy_filed_names(apps, schema_editor):
    """Each existing nomination takes its person's name as it stands (the best record of what was filed)."""
    Nomination = apps.get_model("candidates", "Nomination")
    rows = list(Nomination.objects.select_related("person").only("pk", "person__name"))
    for row in rows:
        row.name = row.person.name
    Nomination.objects.bulk_update(rows, ["name"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0004_office_relaxation_and_revoked'),
    ]

    operations = [
        migrations.AddField(
            model_name='nomination',
            name='name',
            field=models.CharField(default='', max_length=30, verbose_name='姓名'),
            preserve_default=False,
        ),
        migrations.RunPython(copy_filed_names, migrations.RunPython.noop),
        migrations.AddField(
            model_name='round',
            name='public_list_days',
            field=models.PositiveSmallIntegerField(default=3, help_text='公示期满后公示网页继续显示名单（并受理逾期反映）的天数；此后网页只显示公示期已结束。0为期满次日起不再显示', validators=[django.core.validators.MaxValueValidator(30)], verbose_name='公示期满后名单继续公开（天）'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='awards_punishments',
            field=models.TextField(blank=True, max_length=2000, verbose_name='奖惩情况'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='relaxation_note',
            field=models.TextField(blank=True, max_length=500, verbose_name='放宽条件说明'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='relaxation_reason',
            field=models.TextField(blank=True, max_length=500, verbose_name='放宽理由'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='statement',
            field=models.TextField(max_length=3000, verbose_name='自荐理由（主要表现）'),
        ),
    ]

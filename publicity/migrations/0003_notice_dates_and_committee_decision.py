"""A notice's period counted in days of a kind (working or calendar days), a paper notice posted before it was
entered (posted_on, entered_on), objections received before the period (is_early), and the committee's decision
on an objection the office found true (statuses referred and maintained, decided_*)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def entered_on_from_published_at(apps, schema_editor):
    """Notices published before this migration were entered on the day they were published."""
    Notice = apps.get_model("publicity", "Notice")
    for notice in Notice.objects.filter(entered_on__isnull=True).only("id", "published_at"):
        Notice.objects.filter(pk=notice.pk).update(entered_on=timezone.localdate(notice.published_at))


class Migration(migrations.Migration):

    dependencies = [
        ('publicity', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name='notice', old_name='working_days', new_name='days'),
        migrations.AlterField(
            model_name='notice',
            name='days',
            field=models.PositiveSmallIntegerField(verbose_name='公示期（天数）'),
        ),
        migrations.AddField(
            model_name='notice',
            name='day_kind',
            field=models.CharField(choices=[('working', '工作日'), ('calendar', '自然日')], default='working',
                                   max_length=10, verbose_name='公示期天数按'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='issue_date',
            field=models.DateField(verbose_name='落款日期'),
        ),
        migrations.AddField(
            model_name='notice',
            name='posted_on',
            field=models.DateField(blank=True, null=True, verbose_name='纸质公示张贴日期'),
        ),
        migrations.AddField(
            model_name='notice',
            name='entered_on',
            field=models.DateField(null=True, verbose_name='录入系统日期'),
        ),
        migrations.RunPython(entered_on_from_published_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='notice',
            name='entered_on',
            field=models.DateField(verbose_name='录入系统日期'),
        ),
        migrations.AlterField(
            model_name='notice',
            name='published_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to=settings.AUTH_USER_MODEL, verbose_name='录入人'),
        ),
        migrations.AddField(
            model_name='noticeentry',
            name='withdrawn_on',
            field=models.DateField(blank=True, null=True, verbose_name='不再作为拟确定人选日期'),
        ),
        migrations.AddField(
            model_name='objection',
            name='is_early',
            field=models.BooleanField(default=False, verbose_name='公示开始前收到'),
        ),
        migrations.AddField(
            model_name='objection',
            name='decision_reason',
            field=models.TextField(blank=True, verbose_name='党委研究意见'),
        ),
        migrations.AddField(
            model_name='objection',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='党委决定录入人'),
        ),
        migrations.AddField(
            model_name='objection',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='党委决定时间'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='status',
            field=models.CharField(choices=[('open', '待核实'), ('verified', '已核实，待结论'),
                                            ('referred', '反映属实，待党委研究'), ('upheld', '反映属实，已取消人选资格'),
                                            ('maintained', '党委研究维持人选'), ('not_upheld', '反映不属实')],
                                   default='open', max_length=12, verbose_name='状态'),
        ),
    ]

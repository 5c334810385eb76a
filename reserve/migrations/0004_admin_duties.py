"""Issue 10 §4: a town can require the second factor of its vetting departments, as of its office."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reserve', '0003_audit_entry_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='town',
            name='require_otp_for_departments',
            field=models.BooleanField(default=False, help_text='勾选后，本镇联审部门的账号登录后须先绑定手机验证器（TOTP），每次登录输入动态验证码', verbose_name='联审部门账号须启用两步验证'),
        ),
    ]

"""Encrypt the ID numbers already stored (issue 5 §9), step 2 of 2: drop the plain column.

`Person.id_number` becomes the encrypted field over the column id_number_encrypted (filled by 0004),
and the keyed hash becomes unique.
"""

from django.db import migrations

import reserve.fields


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0004_person_encrypt_id_number"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="person",
            name="id_number",
        ),
        migrations.SeparateDatabaseAndState(
            # The column id_number_encrypted stays as it is; only the model's field is renamed.
            state_operations=[
                migrations.RemoveField(
                    model_name="person",
                    name="id_number_encrypted",
                ),
                migrations.AddField(
                    model_name="person",
                    name="id_number",
                    field=reserve.fields.EncryptedIdNumberField(db_column="id_number_encrypted",
                                                                verbose_name="身份证号码"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number_hash",
            field=reserve.fields.IdNumberHashField(source="id_number", unique=True, verbose_name="身份证号码摘要"),
        ),
    ]

"""Encrypt the ID numbers already stored (issue 5 §9), step 1 of 2.

Adds the encrypted column and the keyed-hash column beside the plain one and fills them from it
with the keys in force (reserve.crypto); 0005 then drops the plain column. Reversible: going back
decrypts into the plain column again.
"""

from django.db import migrations, models


def encrypt_rows(apps, schema_editor):
    from reserve import crypto
    from reserve.idnumber import normalise

    Person = apps.get_model("candidates", "Person")
    db = schema_editor.connection.alias
    for pk, number in Person.objects.using(db).values_list("pk", "id_number").iterator():
        number = normalise(number)
        Person.objects.using(db).filter(pk=pk).update(
            id_number_encrypted=crypto.encrypt(number), id_number_hash=crypto.id_hash(number)
        )


def decrypt_rows(apps, schema_editor):
    from reserve import crypto

    Person = apps.get_model("candidates", "Person")
    db = schema_editor.connection.alias
    for pk, token in Person.objects.using(db).values_list("pk", "id_number_encrypted").iterator():
        Person.objects.using(db).filter(pk=pk).update(id_number=crypto.decrypt(token))


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0003_alter_nomination_status"),
    ]

    operations = [
        # Nullable while both columns exist, so that going back can add the plain one before filling it.
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=models.CharField(max_length=18, null=True, verbose_name="身份证号码"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_encrypted",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]

"""Re-encrypt every encrypted ID number, and every uploaded file stored encrypted (settings.ENCRYPTED_UPLOADS: the
ID-card copies), with the first of FIELD_ENCRYPTION_KEYS, and re-hash the numbers. A copy stored before the copies
were encrypted is encrypted by the same run.

Key rotation (reserve/crypto.py): put the new key first in FIELD_ENCRYPTION_KEYS, keeping the old
ones after it, deploy, run this command, then remove the old keys. The keyed hash is recomputed
with the ID_HASH_KEY in force at the same time, so a changed ID_HASH_KEY is applied by this command
too. Rows are handled in batches, each locked and rewritten in its own transaction; a run can be
repeated safely.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from reserve import crypto
from reserve.fields import EncryptedIdNumberField
from reserve.uploads import encrypt_stored

BATCH = 500


def encrypted_fields():
    """(model, field) of every EncryptedIdNumberField of the project."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedIdNumberField):
                yield model, field


def rotate_field(model, field) -> int:
    """Re-encrypt and re-hash one field in every row; return how many rows were rewritten."""
    hash_field = model._meta.get_field(field.hash_field)
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            rows = (
                model._default_manager.select_for_update().filter(pk__in=pks[start:start + BATCH])
                # The stored token itself, not the decrypted value the field would give.
                .annotate(_token=Cast(field.name, output_field=models.TextField()))
                .values_list("pk", "_token", hash_field.attname)
            )
            for pk, token, _old_hash in rows:
                if not token:
                    continue
                new_token = crypto.rotate(token)
                new_hash = crypto.id_hash(crypto.decrypt(new_token))
                model._default_manager.filter(pk=pk).update(**{
                    field.name: models.Value(new_token, output_field=models.TextField()),
                    hash_field.attname: new_hash,
                })
                changed += 1
    return changed


def encrypted_file_fields():
    """(model, field name) of every file field whose uploads are stored encrypted (settings.ENCRYPTED_UPLOADS)."""
    for label in getattr(settings, "ENCRYPTED_UPLOADS", ()):
        app_model, field_name = label.rsplit(".", 1)
        yield apps.get_model(app_model), field_name


def rotate_files(model, field_name) -> int:
    """Re-encrypt with the first key every stored file of one field (a file stored before encryption is encrypted
    now); return how many files were rewritten. Each file is replaced in place under its own name."""
    changed = 0
    rows = model._default_manager.exclude(**{field_name: ""}).order_by("pk")
    for row in rows.iterator(chunk_size=BATCH):
        if encrypt_stored(getattr(row, field_name)):
            changed += 1
    return changed


class Command(BaseCommand):
    help = ("用当前第一个密钥（FIELD_ENCRYPTION_KEYS）重新加密全部身份证号码和身份证复印件，"
            "并按当前 ID_HASH_KEY 重新计算摘要。")

    def handle(self, *args, **options):
        total = 0
        for model, field in encrypted_fields():
            count = rotate_field(model, field)
            total += count
            self.stdout.write(f"{model._meta.label}.{field.name}：{count} 条")
        files = 0
        for model, field_name in encrypted_file_fields():
            count = rotate_files(model, field_name)
            files += count
            self.stdout.write(f"{model._meta.label}.{field_name}：{count} 个文件")
        self.stdout.write(self.style.SUCCESS(f"已用当前密钥重新加密 {total} 条身份证号码、{files} 个文件。"))

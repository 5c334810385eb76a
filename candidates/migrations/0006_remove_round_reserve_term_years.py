# The length of a reserve's term belongs to the pool term (training.PoolTerm.term_years, used when a confirmed
# nomination enters the pool): the round's own parameter did nothing and is removed (issue 11).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("candidates", "0005_personal_data_and_text_limits")]
    operations = [migrations.RemoveField(model_name="round", name="reserve_term_years")]

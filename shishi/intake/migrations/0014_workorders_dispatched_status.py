# Appeals carried by a work order (shishi.workorders) are "dispatched"; the
# respond-pending index counts them too.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0013_notice_invites_rating'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='appeal',
            name='appeal_respond_pending',
        ),
        migrations.AlterField(
            model_name='appeal',
            name='status',
            field=models.CharField(choices=[('received', 'received'), ('triaged', 'triaged'), ('accepted', 'accepted into an item'), ('answered', 'answered directly'), ('rejected', 'rejected'), ('closed', 'closed'), ('dispatched', 'dispatched to a unit')], default='received', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='historicalappeal',
            name='status',
            field=models.CharField(choices=[('received', 'received'), ('triaged', 'triaged'), ('accepted', 'accepted into an item'), ('answered', 'answered directly'), ('rejected', 'rejected'), ('closed', 'closed'), ('dispatched', 'dispatched to a unit')], default='received', max_length=20, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(condition=models.Q(('responded_at__isnull', True), ('status__in', ['received', 'triaged', 'accepted', 'dispatched'])), fields=['respond_due'], name='appeal_respond_pending'),
        ),
    ]

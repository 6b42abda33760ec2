# The dose actually given (mg, with its working) and each CADSS-6 rating as a row of its own.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0004_suicide_screen_review_flags'),
        ('treatment_sessions', '0003_discharge_from_data_and_aftercare'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DissociationRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('moment', models.CharField(choices=[('peak', 'At its height (during or soon after the dose)'), ('before_discharge', 'Before discharge'), ('other', 'Another time (a change in the patient)')], max_length=20)),
                ('taken_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['taken_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='treatmentsession',
            name='dose_given_mg',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name='treatmentsession',
            name='dose_given_working',
            field=models.CharField(blank=True, max_length=600),
        ),
        migrations.AddConstraint(
            model_name='treatmentsession',
            constraint=models.CheckConstraint(condition=models.Q(('dose_given_mg__isnull', True), models.Q(('dose_given_mg__gte', 0), ('dose_given_mg__lte', models.F('dose_mg'))), _connector='OR'), name='session_dose_given_within_dose'),
        ),
        migrations.AddField(
            model_name='dissociationrating',
            name='rated_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='dissociationrating',
            name='response',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assessments.assessmentresponse'),
        ),
        migrations.AddField(
            model_name='dissociationrating',
            name='session',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dissociation_ratings', to='treatment_sessions.treatmentsession'),
        ),
    ]

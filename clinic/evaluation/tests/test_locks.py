from __future__ import annotations

import pytest
from django.db import connection

from clinic.core.tests.locking import assert_locks
from clinic.evaluation.locks import lock_evaluation, lock_open_evaluation_of, lock_version
from clinic.evaluation.models import ConsentDocument, ContraindicationRuleSet, EducationPage

pytestmark = pytest.mark.django_db


def test_the_evaluation_is_locked_without_its_patient_unless_asked():
    quote = connection.ops.quote_name
    alone = assert_locks(lambda: lock_evaluation(0), "evaluation_evaluation")
    with_patient = assert_locks(
        lambda: lock_evaluation(0, with_patient=True), "evaluation_evaluation"
    )
    if connection.vendor == "postgresql":
        assert f"FOR UPDATE OF {quote('evaluation_evaluation')}" in alone
        assert quote("patients_patient") not in alone.split("FOR UPDATE")[1]
        assert quote("patients_patient") in with_patient.split("FOR UPDATE")[1]


def test_the_open_evaluation_helper_locks_one_evaluation():
    sql = assert_locks(lambda: lock_open_evaluation_of(0), "evaluation_evaluation")
    assert sql.rstrip().split(" FOR UPDATE")[0].endswith("LIMIT 1")


@pytest.mark.parametrize("model", [ConsentDocument, ContraindicationRuleSet, EducationPage])
def test_a_version_being_published_is_locked(model):
    assert_locks(lambda: lock_version(model, 0), model._meta.db_table)

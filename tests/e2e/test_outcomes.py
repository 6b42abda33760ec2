"""The medical director filters the outcomes by condition and downloads the funnel's CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.intake.tests.factories import submit_test_request
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_director_filters_by_condition_and_downloads_the_csv(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])
    for conditions in (["trd"], ["trd", "anxiety"], ["ptsd"]):
        submit_test_request(location=location, conditions=conditions)

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.goto("/outcomes/")
    funnel = page.locator("#funnel-table")
    expect(funnel.get_by_role("row", name=re.compile(r"^Consultation \d"))).to_contain_text("3")
    page.get_by_label("Condition").select_option("ptsd")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        "/outcomes/?date_from=&date_to=&location=&condition=ptsd&route=&protocol="
    )
    expect(funnel.get_by_role("row", name=re.compile(r"^Consultation \d"))).to_contain_text("1")
    expect(funnel.get_by_role("row", name=re.compile(r"^Evaluated \d"))).to_contain_text(
        "no patients yet"
    )

    with page.expect_download() as download_info:
        page.locator("#funnel").get_by_role("link", name="Download this table (CSV)").click()
    assert download_info.value.suggested_filename == "outcomes-funnel.csv"
    rows = list(csv.reader(Path(download_info.value.path()).read_text().splitlines()))
    assert rows[0][:2] == ["Stage", "Patients"]
    assert rows[1][:2] == ["Consultation", "1"]

"""The after-care sheet handed to the patient and their escort at discharge, per route.

    from clinic.sessions.aftercare import sheet_for
    sheet = sheet_for(route="intranasal", location=session.location)
    sheet.sections  # [("Going home", [...]), ("Call 911 now if", [...]), ...]
    sheet.sha256    # what the record keeps as handed over

The sheet is data, so that the page, its print and the record's hash read one text:
- no driving, cycling or machinery until the next day after a normal night's sleep: the esketamine
  label ("until the next day following a restful sleep", Spravato US prescribing information,
  Warnings and Precautions: Impaired Ability to Drive and Operate Machinery; Medication Guide); the
  ketamine label cautions against driving and hazardous machinery
  for 24 hours or more after a dose (Ketalar US prescribing information, Information for
  Patients) — the clinic gives the stricter of the two on every route, and a ride home with the
  escort (APA consensus, Sanacora et al., JAMA Psychiatry 2017);
- emergency signs: chest pain, shortness of breath, a sudden severe headache, a change in vision,
  a seizure, weakness or confusion — the signs of end-organ damage that make very high blood
  pressure an emergency (Whelton et al., 2017 ACC/AHA hypertension guideline, hypertensive
  crises), the rise in blood pressure both labels warn of (Spravato, Increase in Blood Pressure;
  Ketalar, Warnings);
- thoughts of suicide: the esketamine label's boxed warning; 988 is the US Suicide & Crisis
  Lifeline (as the rest of the clinic's pages say);
- bladder symptoms (pain passing urine, urgency, frequency, blood in the urine): ketamine-related
  cystitis (Ketalar, Warnings: genitourinary pain; Spravato, Ulcerative or Interstitial
  Cystitis);
- a cannula or injection site that becomes red, hot, swollen or painful: routine care of a
  peripheral IV or IM site [clinic policy, UNVERIFIED: the labels do not word it].
The emergency number and the crisis line are the US ones: the clinic's locations are in the US
(`core.Location.country` defaults to US); a location elsewhere would need its own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic.core.choices import Route
from clinic.core.signing import content_sha256

DRUG: dict[str, str] = {
    Route.IV: "ketamine infusion",
    Route.IM: "ketamine injection",
    Route.INTRANASAL: "esketamine (Spravato) nasal spray",
    Route.ORAL: "ketamine (oral or under the tongue)",
}

GOING_HOME = [
    "Go home with your escort. Do not take public transport or a taxi alone.",
    "Do not drive, ride a bicycle or motorbike, or use machinery or power tools until the next "
    "day, after a normal night's sleep.",
    "Do not make important decisions or sign important papers for the rest of today.",
]
EMERGENCY = [
    "Chest pain or tightness.",
    "Shortness of breath or trouble breathing.",
    "A sudden, severe headache.",
    "A sudden change in your vision.",
    "A seizure (fit), fainting, new weakness, or confusion that does not go away.",
]
CRISIS = (
    "If you have thoughts of harming yourself or of ending your life, call or text 988 "
    "(Suicide & Crisis Lifeline) at any time, or call 911."
)
CALL_THE_CLINIC = [
    "Sickness (nausea or vomiting) that does not settle.",
    "Feeling very drowsy, dizzy or detached from yourself or your surroundings that does not "
    "wear off by the evening.",
    "Pain when passing urine, needing to pass urine urgently or often, or blood in your urine.",
]
SITE_CARE: dict[str, str] = {
    Route.IV: "The place where the drip went in becomes red, hot, swollen or painful.",
    Route.IM: "The place where the injection went in becomes red, hot, swollen or painful.",
}


@dataclass(frozen=True)
class AftercareSheet:
    route: str
    title: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    crisis: str
    clinic_name: str
    clinic_phone: str
    clinic_address: tuple[str, ...]

    def content(self) -> dict:
        return {
            "route": self.route,
            "title": self.title,
            "sections": [[heading, list(lines)] for heading, lines in self.sections],
            "crisis": self.crisis,
            "clinic": [self.clinic_name, self.clinic_phone, *self.clinic_address],
        }

    @property
    def sha256(self) -> str:
        """The hash the record keeps of the sheet as handed over."""
        return content_sha256(self.content())


def sheet_for(*, route: str, location) -> AftercareSheet:
    """The after-care sheet for a session by `route` at `location` (its name, phone, address)."""
    call = list(CALL_THE_CLINIC)
    if route in SITE_CARE:
        call.append(SITE_CARE[route])
    return AftercareSheet(
        route=route,
        title=f"After your {DRUG.get(route, 'ketamine treatment')}",
        sections=(
            ("Going home", tuple(GOING_HOME)),
            ("Call 911 now if you have", tuple(EMERGENCY)),
            (f"Call the clinic on {location.phone} if you have", tuple(call)),
        ),
        crisis=CRISIS,
        clinic_name=location.name,
        clinic_phone=location.phone,
        clinic_address=tuple(location.address_lines),
    )

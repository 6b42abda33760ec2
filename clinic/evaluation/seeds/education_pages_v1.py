"""Version 1 of the patient education library, in plain language (seeded by a migration; later
versions are written by the medical director in the admin). Frozen: do not edit; publish a new
version instead.

The content follows the patient-facing parts of the sources the clinic works from: the Ketalar
and Spravato US prescribing information (monitoring after a dose, no driving until the next day
after a restful sleep for Spravato, blood-pressure rise, dissociation, bladder symptoms, misuse),
the Spravato REMS (at least two hours of observation after each dose), the consensus statement on
ketamine for mood disorders (Sanacora et al., JAMA Psychiatry 2017: fasting, an escort home) and
the reviews of ketamine cystitis (Anderson et al., Health Psychol Res 2022). Fasting times and the
hours the clinic answers are clinic policy (UNVERIFIED): the medical director sets them here.
"""

ALL_ROUTES: list[str] = []

EDUCATION_PAGES_V1 = [
    {
        "code": "preparing",
        "title": "Getting ready for your treatment",
        "phase": "preparing",
        "routes": ALL_ROUTES,
        "body": """Plan the whole day. A visit takes two to three hours from arrival to going home, and you should not work, drive or make important decisions for the rest of the day.

Do not eat for the time your care team gives you before the session (usually about four hours), and stop clear drinks about two hours before. Feeling sick is a common effect, and an empty stomach makes it less likely.

Take your usual medicines unless your clinician told you otherwise. Tell us about any new medicine, supplement, alcohol or drug use since your last visit, because some of them change how ketamine affects you.

Arrange for an adult to take you home. You will not be allowed to leave alone.

Wear comfortable clothes with sleeves that roll up easily. You may bring headphones and calming music, and an eye mask if you like.""",
    },
    {
        "code": "iv-the-session",
        "title": "What happens in an IV infusion session",
        "phase": "session",
        "routes": ["iv"],
        "body": """When you arrive we check who you are, ask how you have been, weigh you and measure your blood pressure, pulse and oxygen level. Your dose is worked out from your weight.

A nurse places a small plastic tube in a vein in your arm. The medicine runs in slowly through a pump, usually over about 40 minutes for depression and longer for pain.

We keep measuring your blood pressure, pulse and oxygen while it runs and afterwards. A member of staff is always close by, and you have a call button.

Many people feel detached, dreamy or as if things look and sound different. This is expected and passes within an hour or two of the end of the infusion. If you feel frightened or unwell, tell us: we can slow or stop the pump.

You rest until the effects have worn off and we have checked you are ready to go home with your escort.""",
    },
    {
        "code": "im-the-session",
        "title": "What happens in an injection session",
        "phase": "session",
        "routes": ["im"],
        "body": """When you arrive we check who you are, ask how you have been, weigh you and measure your blood pressure, pulse and oxygen level. Your dose is worked out from your weight.

The dose is given as an injection into a muscle, usually the upper arm. Its effects start within a few minutes.

We keep measuring your blood pressure, pulse and oxygen afterwards. A member of staff is always close by, and you have a call button.

Many people feel detached, dreamy or as if things look and sound different. This is expected and usually passes within one to two hours.

You rest until the effects have worn off and we have checked you are ready to go home with your escort.""",
    },
    {
        "code": "intranasal-the-session",
        "title": "What happens in an esketamine nasal spray session",
        "phase": "session",
        "routes": ["intranasal"],
        "body": """When you arrive we check who you are, ask how you have been and measure your blood pressure. If it is too high we wait and measure it again before you take the spray.

You use each nasal spray device yourself while we watch, with a five-minute rest between devices. Try not to blow your nose afterwards.

You stay at the clinic for at least two hours after the last spray, as the medicine's safety programme requires. We check your blood pressure during that time and before you leave.

Many people feel detached, dreamy, sleepy or dizzy, or have a raised blood pressure for a while. These effects usually pass before you go home.

You go home with your escort once we have checked you are ready.""",
    },
    {
        "code": "afterwards",
        "title": "After your session",
        "phase": "afterwards",
        "routes": ALL_ROUTES,
        "body": """Go home with your escort and take it easy for the rest of the day. Eat something light once you feel like it.

Do not drink alcohol or take sleeping tablets or other sedating medicines that were not prescribed for you the same day.

Some people feel tired, a little unsteady or low for a day. This usually passes. Write down anything that worries you and tell us, either at your next visit or sooner with a side-effect report in the portal.

Keep answering the short questionnaires we send: they show you and your clinician how the treatment is working.""",
    },
    {
        "code": "side-effects",
        "title": "Side effects to watch for",
        "phase": "side_effects",
        "routes": ALL_ROUTES,
        "body": """During and soon after a session it is common to feel detached or dreamlike, dizzy, sleepy or sick, to have a headache or blurred vision, and for blood pressure to rise for a while. These usually pass within hours.

Between sessions, tell us if you notice: needing to pass urine more often or urgently, pain or burning when you pass urine, blood in your urine or pain low in the belly. Ketamine can irritate the bladder, and it gets better when it is found early and the treatment is adjusted.

Tell us too about memory or concentration problems, still feeling detached days after a session, a wish to take more ketamine than prescribed, or your mood getting worse.

You can report any of these at any time in the portal under "Side effects". Your care team reads every report before your next treatment.""",
    },
    {
        "code": "driving",
        "title": "Driving and getting home",
        "phase": "driving",
        "routes": ALL_ROUTES,
        "body": """Do not drive, cycle or operate machinery on the day of a session. For esketamine nasal spray the rule is until the next day after a restful night's sleep.

Ketamine slows your reactions and judgement for longer than you may feel it does.

Plan for an adult to take you home. A taxi or ride service is only acceptable if someone you know travels with you.""",
    },
    {
        "code": "when-to-call",
        "title": "When to call us, and when to call 911",
        "phase": "when_to_call",
        "routes": ALL_ROUTES,
        "body": """Call 911 for chest pain, severe shortness of breath, fainting that you do not recover from quickly, a seizure, or confusion that does not pass.

If you have thoughts of harming yourself, call or text 988 (Suicide & Crisis Lifeline) at any time, or call 911 if you might act on them.

Call the clinic the same day for blood in your urine or pain passing urine, a very bad headache, vomiting that does not stop, or if you are worried about how you feel after a session.

For anything else, report it in the portal or mention it at your next visit. The clinic's number and opening hours are at the bottom of every page.""",
    },
]

"""Version 1 of the clinic's informed-consent documents, in plain language (seeded by a migration;
later versions are written by the medical director in the admin). Frozen: do not edit; publish a
new version instead, which asks every patient for a new signature."""

CONSENT_DOCUMENTS_V1 = [
    {
        "code": "ketamine-infusion-injection",
        "title": "Consent for Ketamine Treatment by IV Infusion or IM Injection",
        "routes": ["iv", "im"],
        "body": """What this treatment is and why it is offered:

Ketamine is a medicine that has been used for many years as an anesthetic, to put people to sleep for surgery. At much lower doses, it may help some people with depression. It is also used for some other conditions, such as anxiety, PTSD, OCD and chronic pain. Your clinician is offering it because other treatments have not helped you enough.

Giving ketamine for these conditions, either into a vein (IV infusion) or as a shot into a muscle (IM injection), is "off-label." This means the FDA has not approved ketamine for these uses, but doctors may prescribe it when they believe it may help. We cannot promise that it will work. It does not help everyone. When it does help, the benefit may be short-lived, and you will often need repeated treatments.

What happens during a session:

When you arrive, we ask how you feel and about any changes in your health or medicines. We weigh you and check your vital signs, because your dose is based on your weight. For an IV infusion, we place a small tube in a vein in your arm, and the medicine drips in slowly, usually over about 40 minutes for depression and longer for pain. For an IM injection, we give the dose as a shot, usually in your upper arm. We monitor your blood pressure, heart rate and oxygen levels, and a staff member is nearby the whole time. Afterward, you rest in the clinic until the effects wear off and we agree that you are ready to leave.

The course of treatment:

Treatment usually starts with an induction series, for example six sessions over 2 to 3 weeks. If it helps you, your clinician may suggest maintenance sessions spaced further apart. Short questionnaires help us measure your progress and decide together whether to continue.

Common effects during and after a session:

You may feel detached from your body or surroundings, or dreamlike. This is called dissociation. Things may look or sound different. You may also have dizziness, nausea or vomiting, raised blood pressure and heart rate, blurred vision, drowsiness, headache or anxiety. These effects usually pass within a few hours.

Less common or serious risks:

Your blood pressure may rise very high. Breathing problems are rare at these doses, but we watch for them. Some people have hallucinations or distressing experiences. Your mood may get worse, or you may have thoughts of suicide. Please tell us right away if this happens. Ketamine is a Schedule III controlled substance, so it can be misused and may lead to dependence. Frequent or heavy use may cause bladder and urinary problems, and long-term heavy use may affect memory. The long-term effects of repeated treatment are not fully known. Ketamine may not be safe during pregnancy or breastfeeding, so tell us if you are, or might be, pregnant or breastfeeding.

Your safety rules:

Do not eat or drink before your session for as long as we tell you. Arrange for an adult to take you home. Do not drive, operate machinery or make important decisions until the next day, after a night's sleep. Do not drink alcohol or use recreational drugs on the day of treatment. Tell us about all medicines and supplements you take, including benzodiazepines, stimulants, opioids and MAOIs, because some may make treatment less safe.

Alternatives:

You have other choices. These include continuing or changing your medicines, talking therapies, transcranial magnetic stimulation (TMS), electroconvulsive therapy (ECT) and other options your clinician can discuss. You also have the right to choose no treatment at all.

Your rights:

You can ask questions at any time. You can stop treatment or withdraw this consent at any time by telling us, and this will not affect your other care with us. Your information, including questionnaire answers, is kept in your medical record and used for your care. We keep an audit record of who views your record.

In an emergency after you leave:

If you have a medical emergency, call 911. If you have thoughts of harming yourself, call or text 988. For other concerns, call the clinic at the number on your paperwork.

Your agreement:

By typing my full name and today's date, I confirm that I have read this document, I have had the chance to ask questions and have them answered, and I agree to receive ketamine by IV infusion or IM injection at this clinic. I understand that I can stop treatment or withdraw this consent at any time.""",
    },
    {
        "code": "esketamine-nasal-spray",
        "title": "Consent for Esketamine Nasal Spray (Spravato)",
        "routes": ["intranasal"],
        "body": """What this treatment is and why it is offered:

Esketamine (Spravato) is a nasal spray form of ketamine, a medicine long used as an anesthetic for surgery. At much lower doses, it may help some people with depression. The FDA has approved esketamine for adults with treatment-resistant depression, and for depressive symptoms in adults with major depression who have suicidal thoughts or actions. It is often used along with an antidepressant taken by mouth. Your clinician is offering it because other treatments have not helped you enough.

It is given only in a certified healthcare setting, under an FDA safety program called REMS, and you cannot take it home. We cannot promise that it will work. It does not help everyone. When it does help, the benefit may be short-lived, and you will often need repeated treatments.

What happens during a session:

When you arrive, we ask how you feel and about any changes in your health or medicines. We check your weight and vital signs, including blood pressure. Your dose is a fixed amount, not based on weight. You spray the medicine into your nose yourself, one device at a time, while a staff member watches and guides you. Between devices, you rest for about 5 minutes. We then monitor your blood pressure, heart rate and oxygen levels. You must stay in the clinic for at least 2 hours after your dose, or longer, until we agree that you are ready to leave.

The course of treatment:

Treatment usually starts with an induction series, often two sessions a week for the first 4 weeks. If it helps you, your clinician may suggest maintenance sessions, usually once a week or every other week. Short questionnaires help us measure your progress and decide together whether to continue.

Common effects during and after a session:

You may feel detached from your body or surroundings, or dreamlike. This is called dissociation. Things may look or sound different. You may also have dizziness, nausea or vomiting, raised blood pressure and heart rate, blurred vision, drowsiness, headache, anxiety or an odd taste in your mouth. These effects usually pass within a few hours.

Less common or serious risks:

Your blood pressure may rise very high. Breathing problems are rare at these doses, but we watch for them. Some people have hallucinations or distressing experiences. Your mood may get worse, or you may have thoughts of suicide. Please tell us right away if this happens. Esketamine is a Schedule III controlled substance, so it can be misused and may lead to dependence. Frequent or heavy use of ketamine may cause bladder and urinary problems, and long-term heavy use may affect memory. The long-term effects of repeated treatment are not fully known. Esketamine is not recommended during pregnancy or breastfeeding, so tell us if you are, or might be, pregnant or breastfeeding.

Your safety rules:

Unless told otherwise, do not eat for at least 2 hours, or drink for at least 30 minutes, before your session. If you use a nasal steroid or decongestant spray, use it at least 1 hour before. Arrange for an adult to take you home. Do not drive, operate machinery or make important decisions until the next day, after a night's sleep. Do not drink alcohol or use recreational drugs on the day of treatment. Tell us about all medicines and supplements you take, including benzodiazepines, stimulants, opioids and MAOIs, because some may make treatment less safe.

Alternatives:

You have other choices. These include continuing or changing your medicines, talking therapies, transcranial magnetic stimulation (TMS), electroconvulsive therapy (ECT) and other options your clinician can discuss. You also have the right to choose no treatment at all.

Your rights:

You can ask questions at any time. You can stop treatment or withdraw this consent at any time by telling us, and this will not affect your other care with us. Your information, including questionnaire answers, is kept in your medical record and used for your care. The REMS program may require us to share some session information. We keep an audit record of who views your record.

In an emergency after you leave:

If you have a medical emergency, call 911. If you have thoughts of harming yourself, call or text 988. For other concerns, call the clinic at the number on your paperwork.

Your agreement:

By typing my full name and today's date, I confirm that I have read this document, I have had the chance to ask questions and have them answered, and I agree to receive esketamine nasal spray at this clinic under the REMS program. I understand that I can stop treatment or withdraw this consent at any time.""",
    },
    {
        "code": "ketamine-oral-sublingual",
        "title": "Consent for Oral or Sublingual Ketamine",
        "routes": ["oral"],
        "body": """What this treatment is and why it is offered:

Ketamine is a medicine that has been used for many years as an anesthetic, to put people to sleep for surgery. At much lower doses, it may help some people with depression. It is also used for some other conditions, such as anxiety, PTSD, OCD and chronic pain. Your clinician is offering it because other treatments have not helped you enough.

In this treatment, you take ketamine as a lozenge or tablet that dissolves under your tongue (sublingual) or in your mouth. These are usually made by a compounding pharmacy and are not FDA-approved products. Using ketamine this way is "off-label," meaning the FDA has not approved it for these uses, but doctors may prescribe it when they believe it may help. We cannot promise that it will work. It does not help everyone. When it does help, the benefit may be short-lived, and you will often need repeated treatments.

What happens during a session:

When you arrive, we ask how you feel and about any changes in your health or medicines. We weigh you and check your vital signs. You take the lozenge or tablet in the clinic while a staff member watches. You let it dissolve for the time we tell you, then swallow or spit out what is left, as instructed. The effects come on more slowly than with a shot or IV. How much medicine your body absorbs can vary from person to person and day to day, so your clinician may adjust your dose. We monitor your blood pressure, heart rate and oxygen levels. Afterward, you rest in the clinic until the effects wear off and we agree that you are ready to leave.

The course of treatment:

Treatment usually starts with an induction series, for example several sessions over 2 to 3 weeks. If it helps you, your clinician may suggest maintenance sessions spaced further apart. Short questionnaires help us measure your progress and decide together whether to continue.

Common effects during and after a session:

You may feel detached from your body or surroundings, or dreamlike. This is called dissociation. Things may look or sound different. You may also have dizziness, nausea or vomiting, raised blood pressure and heart rate, blurred vision, drowsiness, headache, anxiety or a numb or bitter taste in your mouth. These effects usually pass within a few hours.

Less common or serious risks:

Your blood pressure may rise very high. Breathing problems are rare at these doses, but we watch for them. Some people have hallucinations or distressing experiences. Your mood may get worse, or you may have thoughts of suicide. Please tell us right away if this happens. Ketamine is a Schedule III controlled substance, so it can be misused and may lead to dependence. Frequent or heavy use may cause bladder and urinary problems, and long-term heavy use may affect memory. The long-term effects of repeated treatment are not fully known. Ketamine may not be safe during pregnancy or breastfeeding, so tell us if you are, or might be, pregnant or breastfeeding.

Your safety rules:

Do not eat or drink before your session for as long as we tell you. Arrange for an adult to take you home. Do not drive, operate machinery or make important decisions until the next day, after a night's sleep. Do not drink alcohol or use recreational drugs on the day of treatment. Tell us about all medicines and supplements you take, including benzodiazepines, stimulants, opioids and MAOIs, because some may make treatment less safe.

Alternatives:

You have other choices. These include continuing or changing your medicines, talking therapies, transcranial magnetic stimulation (TMS), electroconvulsive therapy (ECT) and other options your clinician can discuss. You also have the right to choose no treatment at all.

Your rights:

You can ask questions at any time. You can stop treatment or withdraw this consent at any time by telling us, and this will not affect your other care with us. Your information, including questionnaire answers, is kept in your medical record and used for your care. We keep an audit record of who views your record.

In an emergency after you leave:

If you have a medical emergency, call 911. If you have thoughts of harming yourself, call or text 988. For other concerns, call the clinic at the number on your paperwork.

Your agreement:

By typing my full name and today's date, I confirm that I have read this document, I have had the chance to ask questions and have them answered, and I agree to receive oral or sublingual ketamine in this clinic. I understand that I can stop treatment or withdraw this consent at any time.""",
    },
]

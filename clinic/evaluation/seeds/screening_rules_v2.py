"""Version 2 of the screening rules: version 1 plus a rule on a suicide attempt in the past year
(collected by the evaluation since version 1, read by no rule until now). Frozen, like v1.

No published ketamine guideline found makes a recent suicide attempt a contraindication (ketamine
is itself studied for suicidal ideation), so the rule is a clinic policy: relative, so the
clinician weighs and documents it. Its nearest primary source is the Columbia Suicide Severity
Rating Scale screener's triage, which rates any suicidal behaviour in the past 3 months as high
risk needing immediate safety precautions (Posner K et al., Am J Psychiatry 2011;168:1266–1277,
https://doi.org/10.1176/appi.ajp.2011.10111704).
"""

SUICIDE_ATTEMPT_PAST_YEAR = (
    "suicide-attempt-past-year",
    "Suicide attempt in the past year",
    # UNVERIFIED: the severity (relative) and the one-year window are clinic policy, no source
    # fixes them; the medical director edits them in a new rule-set version in the admin.
    "relative",
    "suicide_attempt_past_year",
    "is_true",
    None,
    "Complete the C-SSRS, agree a written safety plan and who holds it, and record why treatment "
    "is still appropriate.",
    "Clinic policy [UNVERIFIED]; C-SSRS triage: behaviour in the past 3 months is high risk "
    "(Posner et al., Am J Psychiatry 2011;168:1266)",
)

RULES_V2_ADDED = [SUICIDE_ATTEMPT_PAST_YEAR]

from django import template

from clinic.scheduling.selectors import WaitlistReach, waitlist_reach

register = template.Library()


@register.simple_tag
def reach_of(patient) -> WaitlistReach:
    """`{% reach_of patient as reach %}`: where a waitlist offer would reach the patient. A tag,
    because the page that puts a patient on the waitlist is drawn with the patient alone."""
    return waitlist_reach(patient)

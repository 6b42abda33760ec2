"""The allergy banner, shown wherever a clinician is about to treat (session pages)."""

from django import template

from clinic.evaluation.chart import allergy_banners

register = template.Library()


@register.inclusion_tag("evaluation/_allergy_banner.html", takes_context=True)
def allergy_banner(context, patient):
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {"banners": allergy_banners(viewer, patient) if viewer is not None else []}

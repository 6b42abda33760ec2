from django.conf import settings

from clinic.navigation import navigation_for


def clinic(request):
    return {
        "clinic_name": settings.OTP_TOTP_ISSUER,
        "clinic_environment": settings.CLINIC_ENVIRONMENT,
        "navigation": navigation_for(request),
    }

from django.db import models


class SentVia(models.TextChoices):
    """How a progress letter reached the referring provider."""

    FAX = "fax", "Fax"
    EMAIL = "email", "Secure e-mail"
    POST = "post", "Post"

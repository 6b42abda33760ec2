from django.db import models


class ProductForm(models.TextChoices):
    """How a product is stored and counted."""

    # A multi-dose vial of solution: counted and drawn in mL (to 0.01 mL).
    VIAL = "vial", "Vial (solution for injection)"
    # A kit of single-use nasal spray devices (esketamine): counted and given in whole devices.
    NASAL_DEVICE = "nasal_device", "Nasal spray devices (kit)"


class MovementKind(models.TextChoices):
    """What a ledger entry records. Each kind changes the stock in the safe, the amount drawn out
    for a session and not yet accounted for, or both (see models.MOVEMENT_EFFECTS)."""

    # Stock arrives in the safe (21 CFR 1304.22(c): receipt record).
    RECEIVE = "receive", "Received"
    # Drawn from the container for a session: it leaves the safe and is held until it is given
    # or wasted.
    DISPENSE = "dispense", "Drawn for a session"
    # Given to the patient from what was drawn (21 CFR 1304.22(c): administration record).
    ADMINISTER = "administer", "Administered"
    # Drawn but not given, and not to be used ("pharmaceutical wastage"; recorded, not on a
    # DEA Form 41: DEA disposal rule preamble, 79 FR 53520, 53521 (9 Sept 2014)).
    WASTE = "waste", "Wasted"
    # Sent back to the supplier or a reverse distributor.
    RETURN = "return", "Returned to supplier"
    # Inventory destroyed to a non-retrievable state (DEA Form 41; 21 CFR 1304.21(e), 1317.95).
    DESTROY = "destroy", "Destroyed"
    # A count's difference accepted as the truth (a loss, a spill, a measuring difference).
    ADJUST = "adjust", "Count adjustment"


class DestructionReason(models.TextChoices):
    """Why inventory is destroyed."""

    EXPIRED = "expired", "Expired"
    # A container broken or contaminated whose contents can be recovered and destroyed.
    BROKEN = "broken", "Broken or contaminated"
    # No longer used by the clinic (a product dropped, a recall).
    UNWANTED = "unwanted", "No longer wanted or recalled"
    # Handed back unused (e.g. a kit returned from a room) and not to be put back in stock.
    RETURNED = "returned", "Returned, not fit to restock"


class CountKind(models.TextChoices):
    """Why a safe is counted."""

    # Clinic policy: at each change of shift, or daily.
    SHIFT = "shift", "Shift count"
    DAILY = "daily", "Daily count"
    # 21 CFR 1304.11(b): on the day the registrant first handles controlled substances.
    INITIAL = "initial", "Initial inventory"
    # 21 CFR 1304.11(c): at least every two years after the previous one.
    BIENNIAL = "biennial", "Biennial inventory"


class CountTiming(models.TextChoices):
    """21 CFR 1304.11(a): an inventory states whether it was taken at the opening or the close of
    business."""

    OPENING = "opening", "At the opening of business"
    CLOSE = "close", "At the close of business"
    DURING = "during", "During the day (shift count)"


class DiscrepancyStatus(models.TextChoices):
    # Counted differs from the ledger; nobody has explained it yet.
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class DiscrepancyOutcome(models.TextChoices):
    """What the resolver found."""

    # The count was wrong (miscounted, read the wrong line): the ledger stands.
    COUNT_ERROR = "count_error", "Counting error: the ledger was right"
    # The stock really differs (spill, breakage, measuring loss, theft): the ledger is adjusted
    # to what was counted.
    STOCK_DIFFERS = "stock_differs", "The count was right: adjust the ledger"

"""What a household needs, derived from how its outreach case ended and what the case tells. No I/O here.

The outcome gives the broad needs; youth and debt settlement follow from the case itself, so that the Youth
Perspective Fund and collective debt settlement reach the people they exist for instead of being outranked by broad
offers.
"""

from dataclasses import dataclass

from services.referrals.domain import AGE_BANDS, Need

NEEDS_AFTER_OUTCOME = {
    "follow_up_financial": [Need.DEBT_HELP, Need.BUDGET_COACHING],
    "follow_up_non_financial": [Need.SOCIAL_SUPPORT],
    "referral_without_contact": [Need.DEBT_HELP],
}
YOUTH_AGES = (18, 27)  # the Youth Perspective Fund's ages in the Schuldenlab plan
# a settlement with all creditors at once pays off from a few creditors or a debt that no payment plan absorbs
SETTLEMENT_CREDITORS = 3
SETTLEMENT_ARREARS_CENTS = 500_000


@dataclass(frozen=True)
class CaseFacts:
    """What the closed case says about the household; None where an older event did not say."""

    outcome: str
    age: int | None = None
    age_band: str | None = None
    creditor_count: int | None = None
    total_arrears_cents: int | None = None


def needs_of(case: CaseFacts) -> list[Need]:
    """The needs to refer for; empty when the outcome asks for no referral. Youth and debt settlement are asked
    only for financial help: they are kinds of debt help."""
    needs = list(NEEDS_AFTER_OUTCOME.get(case.outcome, []))
    if Need.DEBT_HELP not in needs:
        return needs
    if case.age is not None:
        young = YOUTH_AGES[0] <= case.age <= YOUTH_AGES[1]
    else:
        young = case.age_band is not None and AGE_BANDS.get(case.age_band) == YOUTH_AGES
    if young:
        needs.append(Need.YOUTH)
    if (case.creditor_count or 0) >= SETTLEMENT_CREDITORS or (
        case.total_arrears_cents or 0
    ) >= SETTLEMENT_ARREARS_CENTS:
        needs.append(Need.DEBT_SETTLEMENT)
    return needs

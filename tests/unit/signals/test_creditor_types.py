"""Which creditor types each type of partner may send: a bank cannot report rent arrears."""

from services.signals.access.partners import CREDITOR_TYPES_OF, PartnerType, creditor_type_refusal
from services.signals.domain import CreditorType


def test_each_creditor_type_is_sent_by_some_creditor_partner_and_each_creditor_sends_something() -> None:
    assert set().union(*CREDITOR_TYPES_OF.values()) == set(CreditorType)
    assert all(CREDITOR_TYPES_OF.values())


def test_a_partner_may_send_only_the_debt_it_holds() -> None:
    assert creditor_type_refusal("housing", CreditorType.RENT) == ""
    assert creditor_type_refusal("bank", CreditorType.RENT) == "a bank partner sends bank signals, not rent"
    assert creditor_type_refusal("municipality", CreditorType.OTHER) == ""
    assert creditor_type_refusal(PartnerType.SCHOOL.value, CreditorType.OTHER).endswith("sends no signals")
    assert creditor_type_refusal("", CreditorType.RENT) == "a partner of type (none) sends no signals"
